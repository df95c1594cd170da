import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loremText, startFakeUpstream, type FakeUpstream } from '../src/fake/index'
import { createOpenRouterProvider } from '../src/index'
import { collect, hello } from './helpers'

let fake: FakeUpstream
let run = 0

beforeAll(async () => {
  fake = await startFakeUpstream()
})
afterAll(() => fake.close())

function provider(maxRetries: number) {
  return createOpenRouterProvider({
    apiKey: 'k',
    baseURL: fake.baseURL,
    maxRetries,
    retryBaseMs: 10,
  })
}

/** The fake counts failures per exact model id; an ignored `run` param makes each test's id unique. */
function unique(model: string): string {
  return `${model},run=${++run}`
}

function seen(model: string): number {
  return fake.requests.filter((r) => r.model === model).length
}

describe('retries before the first token', () => {
  it('fake/flaky:fails=2 succeeds with maxRetries 2 after three requests', async () => {
    const model = unique('fake/flaky:fails=2,status=503')
    const { error, text } = await collect(provider(2), { model, messages: hello })
    expect(error).toBeNull()
    expect(text).toBe(loremText(12))
    expect(seen(model)).toBe(3)
  })

  it('fake/flaky:fails=2 fails with maxRetries 1 after two requests', async () => {
    const model = unique('fake/flaky:fails=2,status=503')
    const { error } = await collect(provider(1), { model, messages: hello })
    expect(error?.code).toBe('upstream_unavailable')
    expect(seen(model)).toBe(2)
  })

  it('retries 502, 408 and 429', async () => {
    for (const status of [502, 408, 429]) {
      const model = unique(`fake/flaky:fails=1,status=${status}`)
      const { error } = await collect(provider(1), { model, messages: hello })
      expect(error).toBeNull()
      expect(seen(model)).toBe(2)
    }
  })

  it('honours Retry-After on 429', async () => {
    const model = unique('fake/error:status=429,retryAfter=1')
    const started = Date.now()
    const { error } = await collect(provider(1), { model, messages: hello })
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(error?.code).toBe('rate_limited')
    expect(error?.retryAfterMs).toBe(1000)
    expect(seen(model)).toBe(2)
  })

  it('retries a first-token timeout', async () => {
    const quick = createOpenRouterProvider({
      apiKey: 'k',
      baseURL: fake.baseURL,
      firstTokenTimeoutMs: 100,
      maxRetries: 1,
      retryBaseMs: 10,
    })
    const model = unique('fake/lorem:first=2000')
    const { error } = await collect(quick, { model, messages: hello })
    expect(error?.code).toBe('timeout')
    expect(seen(model)).toBe(2)
  })

  for (const status of [400, 401, 402, 403]) {
    it(`does not retry ${status}`, async () => {
      const model = unique(`fake/error:status=${status}`)
      const { error } = await collect(provider(2), { model, messages: hello })
      expect(error?.retryable).toBe(false)
      expect(seen(model)).toBe(1)
    })
  }

  it('does not retry after the first token', async () => {
    const model = unique('fake/midstream:after=2,code=502')
    const { error, text } = await collect(provider(2), { model, messages: hello })
    expect(text).toBe(loremText(2))
    expect(error?.code).toBe('upstream_unavailable')
    expect(error?.retryable).toBe(true)
    expect(seen(model)).toBe(1)
  })

  it('stops waiting between attempts when the caller aborts', async () => {
    const slow = createOpenRouterProvider({
      apiKey: 'k',
      baseURL: fake.baseURL,
      maxRetries: 3,
      retryBaseMs: 5_000,
    })
    const model = unique('fake/flaky:fails=5,status=503')
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 200)
    const started = Date.now()
    const { error, events } = await collect(slow, {
      model,
      messages: hello,
      signal: controller.signal,
    })
    expect(error).toBeNull()
    expect(events).toEqual([])
    expect(Date.now() - started).toBeLessThan(2000)
    expect(seen(model)).toBe(1)
  })

  it('complete retries too', async () => {
    const model = unique('fake/flaky:fails=1,status=503')
    const text = await provider(1).complete({ model, messages: hello })
    expect(text).toBe(loremText(12))
    expect(seen(model)).toBe(2)
  })
})
