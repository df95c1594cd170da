/**
 * What a plain query or mutation costs the server, A against B: two servers side by side on
 * their own Postgres databases, the same calls (`user.me`, `conversation.list`,
 * `conversation.create`, batched as `@t3chat/client` sends them) alternated between them in
 * rounds over keep-alive connections, so whatever else the machine does hits both alike.
 * Reports server CPU per call (from /proc) for each.
 *
 *   pnpm --filter @t3chat/bench bench:call-cost [--rounds=N] [A=RPC_LEAN=1] [B=RPC_LEAN=0]
 *
 * A and B are comma-separated server environment settings (default: the lean query/mutation
 * responder against tRPC's adapter). A development aid (not part of `pnpm bench`).
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { createDatabase, DEFAULT_ADMIN_URL, dropDatabase } from './postgres'
import { cpuMs } from './proc-stats'
import { startFakeProcess, startServerProcess, type ServerProcess } from './server-process'
import { round } from './stats'
import { runTool } from './tool'

function setting(name: string, fallback: string): Record<string, string> {
  const arg = process.argv.find((a) => a.startsWith(`${name}=`))
  const text = arg === undefined ? fallback : arg.slice(name.length + 1)
  return Object.fromEntries(
    text
      .split(',')
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  )
}

const roundsArg = process.argv.find((a) => a.startsWith('--rounds='))
const rounds = roundsArg === undefined ? 10 : Number(roundsArg.slice('--rounds='.length))
const PER_ROUND = 100

const batchInput = (input: unknown) => `input=${encodeURIComponent(JSON.stringify({ 0: input }))}`
const CALLS: Array<{ name: string; path: string; body?: string }> = [
  { name: 'user.me', path: '/user.me?batch=1' },
  { name: 'conversation.list', path: `/conversation.list?batch=1&${batchInput({})}` },
  { name: 'conversation.create', path: '/conversation.create?batch=1', body: '{"0":{}}' },
]

interface Side {
  label: string
  env: Record<string, string>
  server: ServerProcess
  agent: Agent
  dbName: string
  cpuMs: number
}

function call(side: Side, token: string, path: string, body?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${side.server.url}${path}`,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent: side.agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        res.resume()
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`)),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 't3chat-call-cost-'))
  const fake = await startFakeProcess(join(dir, 'fake.log'))
  const sides: Side[] = []
  try {
    for (const [label, env] of [
      ['A', setting('A', 'RPC_LEAN=1')],
      ['B', setting('B', 'RPC_LEAN=0')],
    ] as const) {
      const dbName = `t3chat_bench_${process.pid}_${label.toLowerCase()}`
      const databaseUrl = await createDatabase(DEFAULT_ADMIN_URL, dbName)
      const server = await startServerProcess({
        databaseUrl,
        // One data dir: one local signing secret, so one token serves both.
        dataDir: join(dir, 'data'),
        upstreamBaseURL: fake.baseURL,
        logFile: join(dir, `server-${label}.log`),
        env,
      })
      sides.push({ label, env, server, agent: new Agent({ keepAlive: true }), dbName, cpuMs: 0 })
    }
    const auth = await loadOrCreateLocalAuth(join(dir, 'data'))
    const token = await mintLocalToken(auth, { sub: randomUUID() })
    for (const { name, path, body } of CALLS) {
      for (const side of sides) {
        side.cpuMs = 0
        for (let i = 0; i < 50; i++) await call(side, token, path, body) // warm-up
      }
      for (let r = 0; r < rounds; r++) {
        for (const side of sides) {
          const before = cpuMs(side.server.pid)
          for (let i = 0; i < PER_ROUND; i++) await call(side, token, path, body)
          side.cpuMs += cpuMs(side.server.pid) - before
        }
      }
      const calls = rounds * PER_ROUND
      console.log(
        `${name.padEnd(20)} ${sides
          .map(
            (s) =>
              `${s.label} (${Object.entries(s.env)
                .map(([k, v]) => `${k}=${v}`)
                .join(',')}) ${round((s.cpuMs / calls) * 1000, 0)} µs`,
          )
          .join('   ')}   (server CPU per call, ${calls} calls each)`,
      )
    }
  } finally {
    for (const side of sides) {
      side.agent.destroy()
      await side.server.stop()
      await dropDatabase(DEFAULT_ADMIN_URL, side.dbName).catch(() => undefined)
    }
    await fake.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

runTool(main)
