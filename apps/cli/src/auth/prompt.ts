import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'

/**
 * Asks one question on the terminal. `hidden` echoes nothing (for passwords).
 * Resolves to null when stdin ends first (Ctrl-D).
 */
export function ask(question: string, opts: { hidden?: boolean } = {}): Promise<string | null> {
  let muted = false
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk)
      done()
    },
  })
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY })
  return new Promise((resolve) => {
    let answered = false
    rl.question(question, (answer) => {
      answered = true
      if (opts.hidden) process.stderr.write('\n')
      rl.close()
      resolve(answer.trim())
    })
    muted = opts.hidden === true
    rl.on('close', () => {
      if (!answered) resolve(null)
    })
  })
}

/** Reads all of stdin as text (for piped prompts and `--password-stdin`). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}
