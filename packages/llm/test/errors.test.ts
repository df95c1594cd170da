import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loremText, startFakeUpstream, type FakeUpstream } from '../src/fake/index'
import { createOpenRouterProvider, LlmError, type LlmProvider } from '../src/index'
import { collect, hello } from './helpers'

let fake: FakeUpstream
let llm: LlmProvider

beforeAll(async () => {
  fake = await startFakeUpstream()
  // No retries here: these tests are about the mapping of a single failure.
  llm = createOpenRouterProvider({ apiKey: 'sk-test', baseURL: fake.baseURL, maxRetries: 0 })
})
afterAll(() => fake.close())

describe('HTTP errors before the stream', () => {
  const cases = [
    { model: 'fake/error:status=400', code: 'bad_request', says: /not a valid model ID/ },
    {
      model: 'fake/error:status=400,context=1',
      code: 'context_length_exceeded',
      says: /maximum context length is 8192 tokens.*larger context window/,
    },
    {
      model: 'fake/error:status=401',
      code: 'unauthorized',
      says: /\(User not found\.\)\. Check OPENROUTER_API_KEY/,
    },
    {
      model: 'fake/error:status=402',
      code: 'payment_required',
      says: /Out of credits.*add credits/,
    },
    { model: 'fake/error:status=403', code: 'forbidden', says: /flagged for: harassment/ },
    { model: 'fake/error:status=408', code: 'timeout', says: /timed out/ },
    {
      model: 'fake/error:status=429',
      code: 'rate_limited',
      says: /Rate limited.*try again in a moment/,
    },
    {
      model: 'fake/error:status=502',
      code: 'upstream_unavailable',
      says: /\(Provider returned error\)/,
    },
    { model: 'fake/error:status=503', code: 'upstream_unavailable', says: /unavailable/ },
  ] as const

  for (const c of cases) {
    it(`${c.model} → ${c.code}`, async () => {
      const { error, events } = await collect(llm, { model: c.model, messages: hello })
      expect(events).toEqual([])
      expect(error).toBeInstanceOf(LlmError)
      expect(error?.code).toBe(c.code)
      expect(error?.status).toBe(Number(/status=(\d+)/.exec(c.model)?.[1]))
      expect(error?.message).toMatch(c.says)
    })
  }

  it('carries the provider message given in the model id', async () => {
    const { error } = await collect(llm, {
      model: 'fake/error:status=401,message=Key%20revoked%20by%20owner',
      messages: hello,
    })
    expect(error?.message).toBe(
      'The model provider rejected the API key (Key revoked by owner). Check OPENROUTER_API_KEY.',
    )
  })

  it('reads Retry-After into retryAfterMs and the message', async () => {
    const { error } = await collect(llm, {
      model: 'fake/error:status=429,retryAfter=7',
      messages: hello,
    })
    expect(error?.code).toBe('rate_limited')
    expect(error?.retryAfterMs).toBe(7000)
    expect(error?.message).toMatch(/try again in 7 s/)
  })

  it('a prompt larger than the model window → context_length_exceeded', async () => {
    const long = [{ role: 'user' as const, content: 'word '.repeat(400) }]
    const { error } = await collect(llm, { model: 'fake/tiny', messages: long })
    expect(error?.code).toBe('context_length_exceeded')
  })

  it('a missing API key → unauthorized', async () => {
    const keyless = createOpenRouterProvider({ apiKey: ' ', baseURL: fake.baseURL, maxRetries: 0 })
    const { error } = await collect(keyless, { model: 'fake/lorem', messages: hello })
    expect(error?.code).toBe('unauthorized')
    expect(error?.message).toMatch(/No auth credentials found/)
  })

  it('an unreachable upstream → upstream_unavailable', async () => {
    const gone = await startFakeUpstream()
    await gone.close()
    const offline = createOpenRouterProvider({ apiKey: 'k', baseURL: gone.baseURL, maxRetries: 0 })
    const { error } = await collect(offline, { model: 'fake/lorem', messages: hello })
    expect(error?.code).toBe('upstream_unavailable')
    expect(error?.message).toMatch(/Could not reach the model provider/)
  })
})

describe('errors after the stream started', () => {
  it('a mid-stream error chunk is mapped by its code and keeps the deltas before it', async () => {
    const { error, text } = await collect(llm, {
      model: 'fake/midstream:after=4,code=502,message=Upstream%20model%20crashed',
      messages: hello,
    })
    expect(text).toBe(loremText(4))
    expect(error?.code).toBe('upstream_unavailable')
    expect(error?.status).toBe(502)
    expect(error?.message).toMatch(/Upstream model crashed/)
  })

  it('a mid-stream 429 is rate_limited, a mid-stream 403 is forbidden', async () => {
    const rate = await collect(llm, { model: 'fake/midstream:after=1,code=429', messages: hello })
    expect(rate.error?.code).toBe('rate_limited')
    const mod = await collect(llm, { model: 'fake/midstream:after=1,code=403', messages: hello })
    expect(mod.error?.code).toBe('forbidden')
  })

  it('a connection dropped mid-stream → upstream_unavailable, deltas kept', async () => {
    const flaky = await startFakeUpstream()
    const provider = createOpenRouterProvider({ apiKey: 'k', baseURL: flaky.baseURL })
    const deltas: string[] = []
    let error: unknown = null
    try {
      for await (const ev of provider.stream({
        model: 'fake/stall:after=2',
        messages: hello,
        signal: new AbortController().signal,
      })) {
        if (ev.type === 'delta' && deltas.push(ev.text) === 2) void flaky.close()
      }
    } catch (err) {
      error = err
    }
    expect(deltas.join('')).toBe(loremText(2))
    expect(error).toBeInstanceOf(LlmError)
    expect((error as LlmError).code).toBe('upstream_unavailable')
    expect((error as LlmError).message).toMatch(/connection to the model provider broke/)
  })

  it('a stalled stream ends with timeout after the idle timeout', async () => {
    const quick = createOpenRouterProvider({
      apiKey: 'k',
      baseURL: fake.baseURL,
      idleTimeoutMs: 200,
      maxRetries: 2,
    })
    const before = fake.requests.length
    const started = Date.now()
    const { error, text } = await collect(quick, { model: 'fake/stall:after=3', messages: hello })
    expect(text).toBe(loremText(3))
    expect(error?.code).toBe('timeout')
    expect(error?.message).toMatch(/stopped sending tokens/)
    expect(Date.now() - started).toBeLessThan(2000)
    // Not retried (tokens were already delivered), and the upstream request was closed.
    expect(fake.requests).toHaveLength(before + 1)
    await fake.requests[before]?.finished
    expect(fake.requests[before]?.aborted).toBe(true)
  })

  it('no first token in time → timeout, and PROCESSING comments do not count as tokens', async () => {
    const quick = createOpenRouterProvider({
      apiKey: 'k',
      baseURL: fake.baseURL,
      firstTokenTimeoutMs: 200,
      maxRetries: 0,
    })
    for (const model of ['fake/lorem:first=3000', 'fake/processing:comments=50,interval=20']) {
      const before = fake.requests.length
      const started = Date.now()
      const { error, events } = await collect(quick, { model, messages: hello })
      expect(events).toEqual([])
      expect(error?.code).toBe('timeout')
      expect(error?.message).toMatch(/did not start answering/)
      expect(Date.now() - started).toBeLessThan(900)
      await fake.requests[before]?.finished
      expect(fake.requests[before]?.aborted).toBe(true)
    }
  })
})

describe('complete and listModels errors', () => {
  it('complete maps HTTP errors', async () => {
    await expect(
      llm.complete({ model: 'fake/error:status=402', messages: hello }),
    ).rejects.toMatchObject({ name: 'LlmError', code: 'payment_required' })
  })

  it('listModels maps a 503', async () => {
    const down = await startFakeUpstream()
    down.setModelsAvailable(false)
    const provider = createOpenRouterProvider({ apiKey: 'k', baseURL: down.baseURL })
    await expect(provider.listModels()).rejects.toMatchObject({
      code: 'upstream_unavailable',
      status: 503,
    })
    await down.close()
  })
})
