import { fork, spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'

const children = new Set<ChildProcess>()
let hooked = false

/** Kills every child still running (SIGKILL: used on exit, error and interrupt). */
export function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.clear()
}

const cleanups = new Set<() => Promise<unknown>>()

/** Work to do when the benchmark is interrupted (e.g. dropping its databases); returns the unregister. */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  hookExit()
  cleanups.add(cleanup)
  return () => cleanups.delete(cleanup)
}

function hookExit(): void {
  if (hooked) return
  hooked = true
  process.on('exit', killAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAll()
      // Bounded: an interrupted run must still end promptly.
      const timeout = new Promise((resolve) => setTimeout(resolve, 5_000))
      void Promise.race([Promise.allSettled([...cleanups].map((c) => c())), timeout]).then(() =>
        process.exit(130),
      )
    })
  }
}

/** Registers a child so it dies with the benchmark, whatever the way out. */
export function track<T extends ChildProcess>(child: T): T {
  hookExit()
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Resolves when the child exits (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Asks a child to stop (SIGTERM), then kills it after `graceMs`. */
export async function stop(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited(child)
  clearTimeout(timer)
}

/** Forks a TypeScript module of this package as a child with an IPC channel. */
export function forkTs(
  modulePath: string,
  opts: { logFile: string; env?: NodeJS.ProcessEnv; execArgv?: string[] },
): ChildProcess {
  const child = track(
    fork(modulePath, [], {
      execArgv: [...(opts.execArgv ?? []), '--import', 'tsx'],
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  )
  const log = createWriteStream(opts.logFile, { flags: 'a' })
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)
  return child
}

/** Spawns a plain process (no IPC), its output kept in `logFile` and passed to `onLine`. */
export function spawnLogged(
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; onLine?: (line: string) => void },
): ChildProcess {
  const child = track(
    spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] }),
  )
  const log = createWriteStream(opts.logFile, { flags: 'a' })
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue
    stream.pipe(log)
    let rest = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n')
      rest = lines.pop() ?? ''
      for (const line of lines) opts.onLine?.(line)
    })
  }
  return child
}

/** Rejects after `ms` with a message naming what took too long. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
