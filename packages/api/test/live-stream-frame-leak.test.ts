import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import type { AnswerFrame } from '../src/chat/hub'
import { createInProcessHub } from '../src/chat/hub-memory'

// A full GC on demand, without starting the test process with --expose-gc.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapAfterGc(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

// Regression: following a live answer raced every frame against one never-settling "aborted" promise, so each
// frame of a live answer left a reaction (a promise and two closures) on it until the answer
// ended: ~400 bytes per frame per subscriber, found by `pnpm bench` (heap per live stream grew
// with its age).
describe('a live subscription', () => {
  it('keeps no memory per frame while the answer streams', async () => {
    const hub = createInProcessHub({ frameIntervalMs: 0 })
    const live = await hub.open({ messageId: 'm', userId: 'u', conversationId: 'c' })
    const controller = new AbortController()
    const events = hub.follow('m', 0, controller.signal)[Symbol.asyncIterator]()
    const first = (await events.next()).value as AnswerFrame
    expect(first).toEqual({ type: 'status', status: 'pending' })
    const frames = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const next = events.next()
        live.append('x')
        const frame = (await next).value as AnswerFrame
        expect(frame.type).toBe('text')
      }
    }
    await frames(2_000)
    const before = heapAfterGc()
    await frames(20_000)
    const grown = heapAfterGc() - before
    controller.abort()
    await events.return?.(undefined)
    await hub.close()
    // The text itself grows by 20,000 characters; the leak kept ~8 MB.
    expect(grown).toBeLessThan(1024 * 1024)
  })
})
