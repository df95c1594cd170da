/**
 * What opening a subscription costs the server, alone: `chat.stream` on an answer that has
 * already ended (`connected`, the `final` event, `return`), many times, over SSE (plain HTTP
 * GETs on keep-alive connections, so the client side costs next to nothing) and over WS. Reports
 * server CPU per subscription (from /proc) and the client's wall time per subscription.
 *
 *   [SSE_LEAN=0] pnpm --filter @t3chat/bench bench:sse-start [--count=N] [--concurrency=N] [--pglite] [--profile]
 *
 * A development aid for the start-cost work (not part of `pnpm bench`).
 */
import { randomUUID } from 'node:crypto'
import { Agent, request } from 'node:http'
import { join } from 'node:path'
import { loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { createChatClient, type ChatClient } from '@t3chat/client'
import { cpuMs, rssKiB } from './proc-stats'
import { repoRoot } from './server-process'
import { runTool, withToolServer } from './tool'
import { round, summarize } from './stats'

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`))
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3))
}

const count = flag('count', 1000)
const concurrency = flag('concurrency', 20)
const pglite = process.argv.includes('--pglite')
const profile = process.argv.includes('--profile')

function sseOnce(agent: Agent, url: string, token: string): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
          // The stream ends with tRPC's `return` event; the server keeps the socket.
          if (body.includes('event: return')) {
            resolve(performance.now() - started)
            res.destroy()
            req.destroy()
          }
        })
        res.on('end', () => {
          if (!body.includes('event: return')) reject(new Error(`unexpected body: ${body}`))
        })
        res.on('error', () => undefined)
      },
    )
    req.on('error', (error) => {
      if (!(error as { code?: string }).code?.startsWith('ECONNRESET')) reject(error)
    })
    req.end()
  })
}

function wsOnce(client: ChatClient, messageId: string): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const sub = client.chat.stream.subscribe(
      { messageId },
      {
        onData({ data }) {
          if (data.type === 'final') {
            resolve(performance.now() - started)
            sub.unsubscribe()
          }
        },
        onError: reject,
      },
    )
  })
}

async function lanes(n: number, lane: () => Promise<number>): Promise<number[]> {
  const times: number[] = []
  let left = n
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) times.push(await lane())
    }),
  )
  return times
}

async function main(): Promise<void> {
  const env = process.env.SSE_LEAN !== undefined ? { SSE_LEAN: process.env.SSE_LEAN } : undefined
  const profileDir = profile ? join(repoRoot, 'bench', 'results', 'profiles', 'sse-start') : null
  await withToolServer(
    'sse-start',
    { pglite, ...(env ? { env } : {}), profileDir },
    async ({ server, dataDir }) => {
      const auth = await loadOrCreateLocalAuth(dataDir)
      const token = await mintLocalToken(auth, { sub: randomUUID() })
      const http = createChatClient({ url: server.url, getToken: () => token })
      const sent = await http.chat.send.mutate({
        clientMessageId: randomUUID(),
        content: 'hello',
        model: 'fake/echo',
      })
      const messageId = sent.assistantMessage.id
      const ws = createChatClient({ url: server.url, getToken: () => token, transport: 'ws' })
      await wsOnce(ws, messageId)
      const url = `${server.url}/chat.stream?input=${encodeURIComponent(JSON.stringify({ messageId }))}`
      const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
      const measure = async (name: string, lane: () => Promise<number>) => {
        await lanes(Math.min(200, count), lane) // warm-up
        const cpu0 = cpuMs(server.pid)
        const t0 = performance.now()
        const times = await lanes(count, lane)
        const wall = performance.now() - t0
        const cpu = cpuMs(server.pid) - cpu0
        const s = summarize(times)
        console.log(
          `${name.padEnd(4)} ${count} subscriptions, ${concurrency} at a time: server CPU ${round((cpu / count) * 1000, 0)} µs each, ` +
            `wall p50 ${round(s.p50, 2)} / p99 ${round(s.p99, 2)} ms, ${round(count / (wall / 1000), 0)}/s, server RSS ${Math.round(rssKiB(server.pid) / 1024)} MiB`,
        )
      }
      for (let round = 0; round < 2; round++) {
        await measure('sse', () => sseOnce(agent, url, token))
        await measure('ws', () => wsOnce(ws, messageId))
      }
      agent.destroy()
      ws.close()
    },
  )
}

runTool(main)
