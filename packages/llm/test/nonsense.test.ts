import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from '../src/fake/index'
import { createOpenRouterProvider, LlmError, type LlmProvider } from '../src/index'
import { collect, hello } from './helpers'

// Regression: a 200 that is not an answer (an HTML page, plain JSON, an event stream without a
// choice) used to end as a completed, empty answer.

let fake: FakeUpstream
let llm: LlmProvider
beforeAll(async () => {
  fake = await startFakeUpstream()
  llm = createOpenRouterProvider({ apiKey: 'k', baseURL: fake.baseURL, maxRetries: 0 })
})
afterAll(() => fake.close())

describe('a provider that answers nonsense', () => {
  for (const as of ['html', 'json', 'empty']) {
    it(`200 ${as} → upstream_unavailable with a message a person understands`, async () => {
      const { error, events } = await collect(llm, {
        model: `fake/nonsense:as=${as}`,
        messages: hello,
      })
      expect(events).toEqual([])
      expect(error).toBeInstanceOf(LlmError)
      expect(error?.code).toBe('upstream_unavailable')
      expect(error?.message).toMatch(/sent no answer/)
      expect(error?.detail).not.toBeNull()
    })
  }

  it('complete() on an HTML page → upstream_unavailable, not an empty title', async () => {
    await expect(
      llm.complete({ model: 'fake/nonsense:as=html', messages: hello }),
    ).rejects.toMatchObject({ code: 'upstream_unavailable', message: /sent no answer/ })
  })
})

describe('what a user sees of a provider failure', () => {
  it('an HTML 500 page stays in the log detail, out of the message', async () => {
    const { error } = await collect(llm, {
      model: 'fake/nonsense:as=html,status=500',
      messages: hello,
    })
    expect(error?.code).toBe('upstream_unavailable')
    expect(error?.message).not.toMatch(/nginx|html|10\.1\.2\.3/)
    expect(error?.detail).toMatch(/nginx/)
  })

  it('a connection failure does not show the host and port', async () => {
    const gone = await startFakeUpstream()
    await gone.close()
    const port = new URL(gone.baseURL).port
    const offline = createOpenRouterProvider({ apiKey: 'k', baseURL: gone.baseURL, maxRetries: 0 })
    const { error } = await collect(offline, { model: 'fake/lorem', messages: hello })
    expect(error?.code).toBe('upstream_unavailable')
    expect(error?.message).not.toContain(port)
    expect(error?.message).not.toContain('127.0.0.1')
    expect(error?.detail).toContain(port)
  })

  it("a provider's own reason naming a host keeps the reason, not the host", async () => {
    const { error } = await collect(llm, {
      model: 'fake/error:status=502,message=upstream%20connect%20error%2010.0.0.7:9000',
      messages: hello,
    })
    expect(error?.message).toMatch(/upstream connect error/)
    expect(error?.message).not.toMatch(/10\.0\.0\.7|9000/)
  })
})
