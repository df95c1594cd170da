import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The CLI as a user runs it: the package's bin. */
export const BIN = fileURLToPath(new URL('../../bin/t3chat.js', import.meta.url))

/** A home directory of its own, so no test reads the real user's config or session. */
export const TEST_HOME = mkdtempSync(join(tmpdir(), 't3chat-cli-home-'))
process.once('exit', () => rmSync(TEST_HOME, { recursive: true, force: true }))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** The environment a CLI child gets: only what a test passes, plus PATH and a private HOME. */
export function cliEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: TEST_HOME,
    XDG_CONFIG_HOME: join(TEST_HOME, '.config'),
    XDG_DATA_HOME: join(TEST_HOME, '.local', 'share'),
    NO_COLOR: '1',
    ...env,
  }
}

/** Runs `t3chat <args>` as a child process (stdout is a pipe, so answers come as plain text). */
export function runCli(
  args: string[],
  opts: { env: Record<string, string | undefined>; stdin?: string; timeoutMs?: number },
): Promise<CliResult> {
  return startCli(args, opts).result
}

/** Like {@link runCli}, with the child at hand (to signal it); `stdout` grows as it writes. */
export function startCli(
  args: string[],
  opts: { env: Record<string, string | undefined>; stdin?: string; timeoutMs?: number },
): { child: ChildProcess; stdout: () => string; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(opts.env), stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdin.end(opts.stdin ?? '')
  const result = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`t3chat ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, opts.timeoutMs ?? 25_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
  return { child, stdout: () => stdout, result }
}
