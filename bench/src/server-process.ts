import { execFileSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { forkTs, spawnLogged, stop, withTimeout } from './children'

/** What the server logged at warn level or above while the benchmark ran. */
export interface ServerLogSummary {
  warnings: number
  errors: number
  /** The first few distinct messages, for the report. */
  samples: string[]
}

/** The real server, started the way `pnpm start` starts it, as a child process. */
export interface ServerProcess {
  pid: number
  url: string
  /** The V8 inspector's WebSocket URL, when started with `inspect`. */
  inspectorUrl: string | null
  child: ChildProcess
  logs: ServerLogSummary
  /** SIGTERM (graceful: a CPU profile gets written), SIGKILL after a grace period. */
  stop(): Promise<void>
}

/** The repository root (bench/ is one level below it). */
export const repoRoot = join(import.meta.dirname, '..', '..')

let built = false

/** Compiles the server (apps/server/dist) once per benchmark process, as `pnpm start` does. */
export function buildServer(): void {
  if (built) return
  execFileSync('pnpm', ['--silent', '--filter', '@t3chat/server', 'build'], {
    cwd: repoRoot,
    stdio: 'inherit',
  })
  built = true
}

/**
 * Spawns `node apps/server/dist/main.js` (exactly what `pnpm start` runs, compiled first) with
 * its own environment, and resolves once it prints the URL it listens on.
 */
export async function startServerProcess(opts: {
  databaseUrl: string | null
  dataDir: string
  upstreamBaseURL: string
  logFile: string
  profileDir?: string | null
  /** Open the V8 inspector on a loopback port (memory scenarios force GC through it). */
  inspect?: boolean
  env?: Record<string, string>
  /** How long start-up may take (a first embedded start runs initdb and every migration). */
  startupTimeoutMs?: number
}): Promise<ServerProcess> {
  const logs: ServerLogSummary = { warnings: 0, errors: 0, samples: [] }
  let announce: (url: string) => void = () => undefined
  const listening = new Promise<string>((resolve) => {
    announce = resolve
  })
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOST: '127.0.0.1',
    PORT: '0',
    T3CHAT_DATA_DIR: opts.dataDir,
    OPENROUTER_API_KEY: 'x',
    OPENROUTER_BASE_URL: opts.upstreamBaseURL,
    MAX_CONCURRENT_GENERATIONS: '1000',
    // Load generators act as a few very busy users: no per-user rate limits.
    RATE_LIMIT_SENDS_PER_MIN: '0',
    RATE_LIMIT_CALLS_PER_MIN: '0',
    RATE_LIMIT_CONVERSATIONS_PER_MIN: '0',
    LOG_LEVEL: 'warn',
    // Lets a run compare the provider on its own thread with the in-process one.
    ...(process.env.LLM_THREAD !== undefined ? { LLM_THREAD: process.env.LLM_THREAD } : {}),
    ...(process.env.SSE_LEAN !== undefined ? { SSE_LEAN: process.env.SSE_LEAN } : {}),
    ...(process.env.RPC_LEAN !== undefined ? { RPC_LEAN: process.env.RPC_LEAN } : {}),
    ...(opts.databaseUrl !== null ? { DATABASE_URL: opts.databaseUrl } : {}),
    ...opts.env,
  }
  const nodeArgs = [
    ...(opts.profileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${opts.profileDir}`,
          ...(process.env.PROF_INTERVAL
            ? [`--cpu-prof-interval=${process.env.PROF_INTERVAL}`]
            : []),
        ]
      : []),
    ...(opts.inspect ? ['--inspect=127.0.0.1:0'] : []),
  ]
  // T3CHAT_BENCH_SERVER=source runs the TypeScript source through tsx instead (the server as it
  // started before it was compiled), for before/after comparisons.
  const fromSource = process.env.T3CHAT_BENCH_SERVER === 'source'
  if (!fromSource) buildServer()
  const entry = fromSource
    ? ['--import', 'tsx', 'apps/server/src/main.ts']
    : ['apps/server/dist/main.js']
  let inspectorUrl: string | null = null
  const child = spawnLogged(process.execPath, [...nodeArgs, ...entry], {
    cwd: repoRoot,
    env,
    logFile: opts.logFile,
    onLine(line) {
      const url = /t3chat is listening on (\S+)/.exec(line)?.[1]
      if (url !== undefined) announce(url)
      inspectorUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1] ?? null
      if (!line.startsWith('{')) return
      try {
        const entry = JSON.parse(line) as {
          level?: number
          msg?: string
          err?: { message?: string }
        }
        const level = entry.level ?? 0
        if (level >= 50) logs.errors++
        else if (level >= 40) logs.warnings++
        else return
        const text = `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`
        if (logs.samples.length < 10 && !logs.samples.includes(text)) logs.samples.push(text)
      } catch {
        // not a log line
      }
    },
  })
  const failed = once(child, 'exit').then(([code]) => {
    throw new Error(`the server exited during start-up (code ${String(code)}); see ${opts.logFile}`)
  })
  failed.catch(() => undefined)
  const url = await withTimeout(
    Promise.race([listening, failed]),
    opts.startupTimeoutMs ?? 60_000,
    'server start-up',
  )
  const pid = child.pid
  if (pid === undefined) throw new Error('the server has no pid')
  return {
    pid,
    url,
    inspectorUrl,
    child,
    logs,
    stop: () => stop(child),
  }
}

/** Starts the fake upstream in its own process; resolves with its base URL. */
export async function startFakeProcess(logFile: string): Promise<{
  pid: number
  baseURL: string
  child: ChildProcess
  stop(): Promise<void>
}> {
  const child = forkTs(join(import.meta.dirname, 'fake-upstream-child.ts'), { logFile })
  const ready = new Promise<string>((resolve, reject) => {
    child.once('message', (message: { type?: string; baseURL?: string }) => {
      if (message.type === 'ready' && typeof message.baseURL === 'string') resolve(message.baseURL)
      else reject(new Error('the fake upstream sent an unexpected first message'))
    })
    child.once('exit', (code) =>
      reject(new Error(`the fake upstream exited (code ${String(code)})`)),
    )
  })
  const baseURL = await withTimeout(ready, 30_000, 'fake upstream start-up')
  const pid = child.pid
  if (pid === undefined) throw new Error('the fake upstream has no pid')
  return { pid, baseURL, child, stop: () => stop(child) }
}
