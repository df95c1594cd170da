import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createThreadedProvider, LlmError, type ThreadedProvider } from '../src/index'
import { loremText, startFakeUpstream, type FakeUpstream } from '../src/fake/index'
import { collect, hello } from './helpers'

let fake: FakeUpstream
let llm: ThreadedProvider
beforeAll(async () => {
  fake = await startFakeUpstream()
  llm = createThreadedProvider({
    apiKey: 'test-key',
    baseURL: fake.baseURL,
    appName: 't3chat-test',
    retryBaseMs: 10,
    idleTimeoutMs: 1_000,
  })
})
afterAll(async () => {
  await llm.close()
  await fake.close()
})

describe('the provider on its own thread', () => {
  it('streams the same deltas, usage and finish as in-process', async () => {
    const out = await collect(llm, { model: 'fake/lorem:tokens=40', messages: hello })
    expect(out.text).toBe(loremText(40))
    expect(out.events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    expect(out.events.find((e) => e.type === 'usage')).toMatchObject({ completionTokens: 40 })
  })

  it('carries LlmError across the thread with its code and retry facts', async () => {
    const { error } = await collect(llm, { model: 'fake/error:status=402', messages: hello })
    expect(error).toBeInstanceOf(LlmError)
    expect(error).toMatchObject({ code: 'payment_required', status: 402, retryable: false })
  })

  it('aborting ends the stream quietly and really aborts the upstream request', async () => {
    const model = 'fake/stall:after=3,run=threaded-abort'
    const controller = new AbortController()
    const seen: string[] = []
    for await (const event of llm.stream({ model, messages: hello, signal: controller.signal })) {
      if (event.type === 'delta') seen.push(event.text)
      if (seen.length === 3) controller.abort()
    }
    expect(seen).toHaveLength(3)
    const request = fake.requests.find((r) => r.model === model)
    await request?.finished
    expect(request?.aborted).toBe(true)
  })

  it('answers complete() and listModels() through the thread', async () => {
    expect(await llm.complete({ model: 'fake/title:text=Thread%20title', messages: hello })).toBe(
      'Thread title',
    )
    const models = await llm.listModels()
    expect(models.map((m) => m.id)).toContain('fake/echo')
  })

  it('keeps many concurrent streams apart', async () => {
    const outs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        collect(llm, { model: `fake/lorem:tokens=${10 + i},delay=1`, messages: hello }),
      ),
    )
    outs.forEach((out, i) => expect(out.text).toBe(loremText(10 + i)))
  })
})
