import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from '../src/fake/index'
import { createThreadedProvider, LlmError, type ThreadedProvider } from '../src/index'
import { collect, hello } from './helpers'

// Regression: a crashed provider thread left its streams waiting forever, and complete() /
// listModels() ignored their abort signal on the thread (so the title and model-list timeouts
// did nothing).

let fake: FakeUpstream
let llm: ThreadedProvider
const crashes: unknown[] = []
beforeAll(async () => {
  fake = await startFakeUpstream()
  llm = createThreadedProvider(
    { apiKey: 'k', baseURL: fake.baseURL, retryBaseMs: 10 },
    {
      bootUrl: new URL('./fixtures/dying-thread-boot.mjs', import.meta.url),
      onCrash: (error) => crashes.push(error),
    },
  )
})
afterAll(async () => {
  await llm.close()
  await fake.close()
})

describe('a provider thread that dies', () => {
  it('ends its streams with upstream_unavailable, and the next request gets a new thread', async () => {
    // A stream open on the thread while it dies, and the request that kills it.
    const model = 'fake/slow:tokens=500,delay=20,run=open-while-dying'
    const slow = collect(llm, { model, messages: hello })
    while (!fake.requests.some((r) => r.model === model))
      await new Promise((resolve) => setTimeout(resolve, 10))
    const dying = await collect(llm, { model: 'fake/die', messages: hello })
    const other = await slow
    expect(crashes).toHaveLength(1)
    for (const out of [dying, other]) {
      expect(out.error).toBeInstanceOf(LlmError)
      expect(out.error?.code).toBe('upstream_unavailable')
      expect(out.error?.message).toMatch(/lost/)
    }
    const again = await collect(llm, { model: 'fake/lorem:tokens=5', messages: hello })
    expect(again.error).toBeNull()
    expect(again.events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })
})

describe('aborts on the thread', () => {
  it('complete() rejects on abort and the upstream request is closed', async () => {
    const model = 'fake/stall:after=0,run=complete-abort'
    const controller = new AbortController()
    const pending = llm.complete({ model, messages: hello, signal: controller.signal })
    while (!fake.requests.some((r) => r.model === model))
      await new Promise((resolve) => setTimeout(resolve, 10))
    controller.abort()
    await expect(pending).rejects.toBeInstanceOf(LlmError)
    const request = fake.requests.find((r) => r.model === model)
    await request?.finished
    expect(request?.aborted).toBe(true)
  })

  it('a timeout signal reads as timeout', async () => {
    await expect(
      llm.complete({
        model: 'fake/stall:after=0,run=complete-timeout',
        messages: hello,
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toMatchObject({ code: 'timeout' })
  })

  it('listModels() rejects on abort', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(llm.listModels(controller.signal)).rejects.toBeInstanceOf(LlmError)
  })
})
