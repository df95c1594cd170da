import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** apps/server: where `pnpm start` runs. */
const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** How a child process ended. */
export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** A script of the compiled server running as its own process (`node dist/<script>.js`). */
export interface Child {
  process: ChildProcess
  /** Everything written so far. */
  stdout(): string
  stderr(): string
  exited: Promise<Exit>
}

/** A server process that printed its URL. */
export interface ChildServer extends Child {
  /** As printed: "listening on http://HOST:PORT". */
  url: string
  port: number
}

const running = new Set<ChildProcess>()

/**
 * Spawns the compiled `src/<script>` (`dist/<script>.js`, built by the global setup) with exactly `env` (plus PATH): nothing of the test's own environment
 * leaks in, so each case controls every variable the process sees. Killed by `killChildren`.
 */
export function spawnScript(script: string, env: Record<string, string>): Child {
  const child = start(script, env)
  running.add(child.process)
  void child.exited.then(() => running.delete(child.process))
  return child
}

function start(script: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, [join('dist', script.replace(/\.ts$/, '.js'))], {
    cwd: APP_DIR,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  // 'close', not 'exit': at 'exit' the pipes may still hold the process's last writes (a one-line
  // configuration error was read as an empty stderr on a busy machine).
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  return { process: child, stdout: () => stdout, stderr: () => stderr, exited }
}

/**
 * Runs the compiled `src/<script>` to its end. Not touched by `killChildren`, so short runs may
 * go concurrently with other tests (twelve starts at once on two busy cores take a while: one
 * takes ~1 s of CPU). A run still going after `timeoutMs` is killed and fails the test as such,
 * rather than as an exit without output.
 */
export async function runScript(
  script: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Exit & { stdout: string; stderr: string }> {
  const child = start(script, env)
  let killed = false
  const timer = setTimeout(() => {
    killed = true
    child.process.kill('SIGKILL')
  }, timeoutMs)
  const exit = await child.exited
  clearTimeout(timer)
  if (killed)
    throw new Error(`${script} did not end within ${timeoutMs} ms; its stderr:\n${child.stderr()}`)
  return { ...exit, stdout: child.stdout(), stderr: child.stderr() }
}

const LISTENING = /listening on (http:\/\/(\S+):(\d+))/

/** Spawns the compiled `src/main.ts` and resolves once it prints where it listens. */
export async function spawnServer(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ChildServer> {
  const child = spawnScript('main.ts', env)
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const found = LISTENING.exec(child.stdout())
      if (found === null) return
      done()
      resolve(found)
    }
    const timer = setTimeout(() => {
      done()
      child.process.kill('SIGKILL')
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${child.stderr()}`))
    }, timeoutMs)
    const exitedEarly = (code: number | null) => {
      done()
      reject(new Error(`server exited (${code}) before listening:\n${child.stderr()}`))
    }
    const done = () => {
      clearTimeout(timer)
      child.process.stdout?.off('data', check)
      child.process.off('close', exitedEarly)
    }
    child.process.stdout?.on('data', check)
    child.process.once('close', exitedEarly)
    check()
  })
  return { ...child, url: match[1] ?? '', port: Number(match[3]) }
}

/** SIGKILLs every child still running (afterEach/afterAll) and waits for them to go. */
export async function killChildren(): Promise<void> {
  const children = [...running]
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGKILL')
        }),
    ),
  )
}

/**
 * Runs a shell command line as a user types it, from the repository root (for the commands
 * the server prints, e.g. its token line), with only PATH and HOME from the test's environment.
 */
export async function runShell(
  line: string,
  timeoutMs = 30_000,
): Promise<Exit & { stdout: string; stderr: string }> {
  const child = spawn('sh', ['-c', line], {
    cwd: join(APP_DIR, '..', '..'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exit = await new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  clearTimeout(timer)
  return { ...exit, stdout, stderr }
}
