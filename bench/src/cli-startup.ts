// `pnpm --filter @t3chat/bench bench:cli`: cold start-up of the compiled CLI (apps/cli) and of
// the server, the median of 10 fresh processes per row, against the real server on the fake
// upstream; then without a server, so the CLI starts its embedded (PGlite) one. Idle RSS is read
// from /proc once a process has settled. Prints a markdown table.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rssKiB } from './proc-stats'
import { summarize } from './stats'
import { repoRoot, startFakeProcess, startServerProcess } from './server-process'

// T3CHAT_BENCH_CLI_BIN compares another build (e.g. another checkout's bin).
const BIN = process.env.T3CHAT_BENCH_CLI_BIN ?? join(repoRoot, 'apps', 'cli', 'bin', 't3chat.js')
const RUNS = Number(process.env.T3CHAT_BENCH_RUNS ?? 10)
const IDLE_MS = 3000

const cleanEnv = (env: Record<string, string>) => ({
  PATH: process.env.PATH ?? '',
  HOME: env.HOME ?? '',
  ...env,
})

/** Milliseconds from spawn to the first stdout byte, and to the exit. */
function timeCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ firstOutputMs: number; exitMs: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    let firstOutputMs = Number.NaN
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stdout.once('data', () => (firstOutputMs = performance.now() - start))
    child.stdout.resume()
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.once('exit', (code) => {
      if (code !== 0)
        reject(new Error(`t3chat ${args.join(' ')} exited ${String(code)}: ${stderr}`))
      else resolve({ firstOutputMs, exitMs: performance.now() - start })
    })
  })
}

/** The pid of the CLI under `script` (its only child). */
function childPid(pid: number): number | null {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0]
    return first ? Number(first) : null
  } catch {
    return null
  }
}

/**
 * The interactive chat in a pseudo-terminal (`script`): milliseconds until the screen shows
 * `marker` (the first usable screen), and optionally the CLI's RSS after it idled.
 */
function timeChatScreen(
  env: Record<string, string>,
  marker: string,
  idleRss: boolean,
): Promise<{ screenMs: number; rssMiB: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const command = `exec '${process.execPath}' '${BIN}'`
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...cleanEnv(env), TERM: 'xterm-256color', COLUMNS: '100', LINES: '30' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let screen = ''
    let screenMs = Number.NaN
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the chat screen never showed ${marker}:\n${screen.slice(-2000)}`))
    }, 120_000)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      screen += chunk
      if (!Number.isNaN(screenMs) || !screen.includes(marker)) return
      screenMs = performance.now() - start
      const finish = (rssMiB: number) => {
        clearTimeout(timer)
        child.stdin.write('\u0003')
        child.once('exit', () => resolve({ screenMs, rssMiB }))
        setTimeout(() => child.kill('SIGKILL'), 5000).unref()
      }
      if (!idleRss) return finish(Number.NaN)
      setTimeout(() => {
        const pid = child.pid === undefined ? null : childPid(child.pid)
        finish(pid === null ? Number.NaN : rssKiB(pid) / 1024)
      }, IDLE_MS)
    })
  })
}

const median = (samples: number[]) => Math.round(summarize(samples).p50)

async function medianOf(
  args: string[],
  env: Record<string, string>,
  pick: 'firstOutputMs' | 'exitMs',
): Promise<number> {
  const samples: number[] = []
  for (let i = 0; i < RUNS; i++) samples.push((await timeCli(args, env))[pick])
  return median(samples)
}

/** The first question asked; the chat screen is shown once its conversation is listed. */
const WARM_UP = 'warm up'

/** The chat screen's rows: time until the conversation list shows, and idle RSS. */
async function chatScreenRows(
  env: Record<string, string>,
  where: string,
  target: string,
): Promise<Array<[string, string, string]>> {
  const screens: number[] = []
  for (let i = 0; i < RUNS; i++) screens.push((await timeChatScreen(env, WARM_UP, false)).screenMs)
  const { rssMiB } = await timeChatScreen(env, WARM_UP, true)
  return [
    [`chat screen, conversation list shown (${where})`, String(median(screens)), target],
    [`chat idle RSS, MiB (${where})`, String(Math.round(rssMiB)), '—'],
  ]
}

const dir = mkdtempSync(join(tmpdir(), 't3chat-bench-cli-'))
const fake = await startFakeProcess(join(dir, 'fake.log'))
const dataDir = join(dir, 'data')
const serverOpts = {
  databaseUrl: null,
  dataDir,
  upstreamBaseURL: fake.baseURL,
  logFile: join(dir, 'server.log'),
}
const rows: Array<[string, string, string]> = []
try {
  // The server alone (`pnpm start`'s process): spawn to listening, on a migrated data directory.
  await (await startServerProcess(serverOpts)).stop()
  const ready: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now()
    const server = await startServerProcess(serverOpts)
    ready.push(performance.now() - start)
    await server.stop()
  }
  rows.push(['server ready (`pnpm start`, PGlite)', String(median(ready)), '—'])

  const server = await startServerProcess(serverOpts)
  try {
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS))
    rows.push(['server idle RSS, MiB', String(Math.round(rssKiB(server.pid) / 1024)), '—'])
    const env = { T3CHAT_URL: server.url, T3CHAT_DATA_DIR: dataDir, HOME: dir }
    await timeCli(['ask', WARM_UP, '--model', 'fake/echo'], env)
    rows.push(
      ['t3chat --version', String(await medianOf(['--version'], env, 'exitMs')), '≤ 300'],
      ['t3chat list (running server)', String(await medianOf(['list'], env, 'exitMs')), '≤ 300'],
      [
        't3chat ask, first output (fake/echo: no model wait)',
        String(await medianOf(['ask', 'hi', '--model', 'fake/echo'], env, 'firstOutputMs')),
        '≤ 400 + TTFT',
      ],
    )
    rows.push(...(await chatScreenRows(env, 'running server', '≤ 700')))
  } finally {
    await server.stop()
  }
  // No server: the CLI starts its own on the same (migrated) data directory.
  const embedded = { T3CHAT_DATA_DIR: dataDir, HOME: dir }
  rows.push([
    't3chat list (embedded PGlite server)',
    String(await medianOf(['list'], embedded, 'exitMs')),
    '≤ 2000 (server ready)',
  ])
  rows.push(...(await chatScreenRows(embedded, 'embedded server', '—')))
} finally {
  process.stdout.write(
    `| row (median of ${RUNS} cold starts) | value | target |\n| --- | ---: | --- |\n${rows
      .map(([name, value, target]) => `| ${name} | ${value} | ${target} |`)
      .join('\n')}\n`,
  )
  await fake.stop()
  rmSync(dir, { recursive: true, force: true })
}
