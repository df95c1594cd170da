/**
 * What a streamed token costs the server once answers are flowing (no starts in the window):
 * N answers of 3,000 tokens at 50 tok/s, each followed by its own `@t3chat/client` (one user
 * each), then server CPU over an 8 s window, per thread: the main thread, the provider thread,
 * and V8's helpers (GC, compilation).
 *
 *   pnpm --filter @t3chat/bench bench:steady [--streams=N] [--ws] [--pglite]
 *
 * A development aid (not part of `pnpm bench`, whose ramp mixes starts and tokens).
 */
import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { createChatClient, type ChatClient } from '@t3chat/client'
import { loremModel } from './config'
import { clockTicks } from './proc-stats'
import { runTool, withToolServer } from './tool'
import { round } from './stats'

const streamsArg = process.argv.find((a) => a.startsWith('--streams='))
const streams = streamsArg === undefined ? 200 : Number(streamsArg.slice('--streams='.length))
const transport = process.argv.includes('--ws') ? 'ws' : 'sse'
const pglite = process.argv.includes('--pglite')
const WINDOW_MS = 8_000
const TOKENS_PER_SECOND = 50

/** CPU ms of each thread of `pid`, by thread id (utime + stime). */
function threadCpuMs(pid: number): Map<string, number> {
  const ms = new Map<string, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    ms.set(tid, ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks())
  }
  return ms
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function main(): Promise<void> {
  const clients: ChatClient[] = []
  await withToolServer('steady', { pglite }, async ({ server, dataDir }) => {
    try {
      const auth = await loadOrCreateLocalAuth(dataDir)
      let deltas = 0
      let errors = 0
      for (let i = 0; i < streams; i++) {
        const token = await mintLocalToken(auth, { sub: randomUUID() })
        const client = createChatClient({ url: server.url, getToken: () => token, transport })
        clients.push(client)
        const messageId = randomUUID()
        client.chat.stream.subscribe(
          { messageId },
          {
            onData: ({ data }) => {
              if (data.type === 'delta') deltas++
            },
            onError: () => errors++,
          },
        )
        await client.chat.send.mutate({
          clientMessageId: randomUUID(),
          assistantMessageId: messageId,
          content: 'hello',
          model: loremModel(3_000),
        })
      }
      await sleep(3_000)
      const before = threadCpuMs(server.pid)
      const deltasBefore = deltas
      const started = performance.now()
      await sleep(WINDOW_MS)
      const seconds = (performance.now() - started) / 1000
      const after = threadCpuMs(server.pid)
      const tokens = streams * TOKENS_PER_SECOND * seconds
      const perToken = (ms: number) => round((ms * 1000) / tokens, 1)
      const byThread = [...after].map(([tid, ms]) => [tid, ms - (before.get(tid) ?? 0)] as const)
      // The busiest thread other than the main one is the provider thread; the rest are V8's.
      const others = byThread
        .filter(([tid]) => tid !== String(server.pid))
        .sort((a, b) => b[1] - a[1])
      const main = byThread.find(([tid]) => tid === String(server.pid))?.[1] ?? 0
      const provider = others[0]?.[1] ?? 0
      const helpers = others.slice(1).reduce((n, [, ms]) => n + ms, 0)
      console.log(
        `${transport}${pglite ? ' (PGlite)' : ''}, ${streams} streams at ${TOKENS_PER_SECOND} tok/s: ` +
          `server CPU ${perToken(main + provider + helpers)} µs/token (main thread ${perToken(main)}, ` +
          `provider thread ${perToken(provider)}, V8 helpers ${perToken(helpers)}); ` +
          `delta events ${round((deltas - deltasBefore) / seconds, 0)}/s; subscription errors ${errors}`,
      )
    } finally {
      for (const client of clients) client.close()
    }
  })
}

runTool(main)
