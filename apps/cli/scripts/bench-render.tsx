// Render benchmark of the streaming answer view (`pnpm --filter @t3chat/cli bench:render`):
// feeds a 4,000-token markdown answer into the real Ink view, as fast as it takes it, on a
// fake 100×40 terminal, and reports tokens per second of CPU time (one core).
import { Writable } from 'node:stream'
import { render } from 'ink'
import type { Message } from '@t3chat/client'
import { createAnswerStore, AnswerView } from '../src/ui/answer-view'

const TOKENS = Number(process.argv[2] ?? 4_000)
const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor'.split(
  ' ',
)

/** A markdown answer of `count` tokens: paragraphs, one very long paragraph, a list, code. */
function answerTokens(count: number): string[] {
  const out: string[] = []
  for (let i = 0; out.length < count; i++) {
    const section = Math.floor(i / 400) % 4
    const word = WORDS[i % WORDS.length] ?? 'x'
    if (section === 0) out.push(i % 60 === 59 ? `${word}.\n\n` : `${word} `)
    else if (section === 1)
      out.push(`${word} `) // one long paragraph
    else if (section === 2) out.push(i % 8 === 0 ? `\n- **${word}** ` : `${word} `)
    else out.push(i % 400 === 0 ? '\n\n```ts\n' : i % 10 === 9 ? `${word}()\n` : `const ${word} = `)
  }
  return out.slice(0, count)
}

class FakeTerminal extends Writable {
  isTTY = true
  columns = 100
  rows = 40
  bytes = 0
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.bytes += chunk.length
    done()
  }
}

const terminal = new FakeTerminal()
const store = createAnswerStore('bench/model')
const instance = render(<AnswerView store={store} columns={100} rows={40} />, {
  stdout: terminal as unknown as NodeJS.WriteStream,
  exitOnCtrlC: false,
  patchConsole: false,
})
const tokens = answerTokens(TOKENS)
const startCpu = process.cpuUsage()
const start = performance.now()
let content = ''
for (const token of tokens) {
  content += token
  store.text(content)
  // One token per event-loop turn, as a stream delivers them.
  await new Promise((resolve) => setImmediate(resolve))
}
const final: Message = {
  id: 'bench',
  conversationId: 'bench',
  parentId: null,
  branch: { index: 1, count: 1 },
  seq: 2,
  role: 'assistant',
  content,
  model: 'bench/model',
  status: 'completed',
  error: null,
  usage: null,
  createdAt: new Date().toISOString(),
  completedAt: new Date().toISOString(),
}
store.finish(final)
await new Promise((resolve) => setTimeout(resolve, 50))
instance.unmount()
const cpu = process.cpuUsage(startCpu)
const cpuSec = (cpu.user + cpu.system) / 1e6
const wallSec = (performance.now() - start) / 1000
process.stdout.write(
  `${TOKENS} tokens: ${(TOKENS / cpuSec).toFixed(0)} tok/s of CPU (${cpuSec.toFixed(2)} s CPU, ${wallSec.toFixed(2)} s wall, ${(terminal.bytes / 1024).toFixed(0)} KiB written)\n`,
)
