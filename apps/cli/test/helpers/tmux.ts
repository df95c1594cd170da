import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { waitFor } from './wait'

const run = promisify(execFile)

/** A terminal driven through tmux on a private socket: send keys, read the screen. */
export interface Terminal {
  /** Types text literally (no Enter). */
  type(text: string): Promise<void>
  /** Presses keys by tmux name: Enter, C-c, Up, … */
  press(...keys: string[]): Promise<void>
  /** The screen and its scrollback, wrapped lines joined. */
  screen(): Promise<string>
  /** Waits until the screen satisfies `check`; the error shows the screen. */
  until(check: (screen: string) => boolean, timeoutMs?: number): Promise<string>
  close(): Promise<void>
}

/** Whether tmux is installed. */
export async function hasTmux(): Promise<boolean> {
  try {
    await run('tmux', ['-V'])
    return true
  } catch {
    return false
  }
}

/** Starts `command` in a new detached tmux session of the given size. */
export async function openTerminal(opts: {
  command: string[]
  env: Record<string, string | undefined>
  columns?: number
  rows?: number
}): Promise<Terminal> {
  const socket = `t3chat-test-${process.pid}-${Date.now()}`
  const session = 'cli'
  const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args])
  // `env -i`: the CLI sees only the given variables, not the test runner's (CI, DATABASE_URL…).
  const vars = Object.entries(opts.env).flatMap(([key, value]) =>
    value === undefined ? [] : [`${key}=${value}`],
  )
  const quoted = ['env', '-i', ...vars, ...opts.command]
    .map((part) => `'${part.replace(/'/g, `'\\''`)}'`)
    .join(' ')
  // The shell line keeps the pane open after the CLI exits, so its exit code can be read.
  await tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    String(opts.columns ?? 110),
    '-y',
    String(opts.rows ?? 40),
    `${quoted}; echo "[exit $?]"; sleep 120`,
  )
  const screen = async () =>
    (await tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session)).stdout
  return {
    type: async (text) => void (await tmux('send-keys', '-t', session, '-l', text)),
    press: async (...keys) => void (await tmux('send-keys', '-t', session, ...keys)),
    screen,
    async until(check, timeoutMs = 15_000) {
      let last = ''
      return waitFor(
        async () => {
          last = await screen()
          return check(last) ? last : null
        },
        { timeoutMs, intervalMs: 100, describe: () => last },
      )
    },
    close: async () => void (await tmux('kill-server').catch(() => undefined)),
  }
}
