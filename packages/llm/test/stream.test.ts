import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loremText, startFakeUpstream, type FakeUpstream } from '../src/fake/index'
import { createOpenRouterProvider, type ChatMessage, type LlmProvider } from '../src/index'
import { collect, hello } from './helpers'

let fake: FakeUpstream
let llm: LlmProvider

beforeAll(async () => {
  fake = await startFakeUpstream()
  llm = createOpenRouterProvider({
    apiKey: 'sk-test',
    baseURL: fake.baseURL,
    appUrl: 'https://t3chat.example',
    appName: 't3chat tests',
  })
})
afterAll(() => fake.close())

function expectedCost(prompt: number, completion: number): number {
  return completion * 0.000001 + prompt * 0.0000005
}

describe('streaming', () => {
  it('streams lorem deltas, then usage (sent after finish_reason), then finish', async () => {
    const { events, text, error } = await collect(llm, { model: 'fake/lorem', messages: hello })
    expect(error).toBeNull()
    expect(text).toBe(loremText(12))
    expect(events.filter((e) => e.type === 'delta')).toHaveLength(12)
    const tail = events.slice(-2)
    const promptTokens = Math.ceil((hello[0]?.content.length ?? 0) / 4)
    expect(tail[0]).toEqual({
      type: 'usage',
      promptTokens,
      completionTokens: 12,
      cost: expect.closeTo(expectedCost(promptTokens, 12), 12) as number,
    })
    expect(tail[1]).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('echoes the last user message exactly, non-ASCII included', async () => {
    const content = 'Ünïcode  works: 你好 🚀\nsecond line  '
    const messages: ChatMessage[] = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'first answer' },
      { role: 'user', content },
    ]
    const { text, events } = await collect(llm, { model: 'fake/echo', messages })
    expect(text).toBe(content)
    expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(3)
  })

  it('ignores OpenRouter PROCESSING comments', async () => {
    const { text, error } = await collect(llm, {
      model: 'fake/processing:comments=3,interval=10,tokens=5',
      messages: hello,
    })
    expect(error).toBeNull()
    expect(text).toBe(loremText(5))
  })

  it('paces a slow stream token by token', async () => {
    const started = Date.now()
    const { events } = await collect(llm, {
      model: 'fake/lorem:tokens=5,delay=30',
      messages: hello,
    })
    expect(events.filter((e) => e.type === 'delta')).toHaveLength(5)
    expect(Date.now() - started).toBeGreaterThanOrEqual(100)
  })

  it('passes maxTokens through and reports finish reason "length"', async () => {
    const { text, events } = await collect(llm, {
      model: 'fake/lorem:tokens=20',
      messages: hello,
      maxTokens: 3,
    })
    expect(text).toBe(loremText(3))
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'length' })
    expect(fake.requests.at(-1)?.body.max_tokens).toBe(3)
  })

  it('sends the model, messages, usage options and attribution headers', async () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'which model?' },
    ]
    await collect(llm, { model: 'openai/gpt-4o-mini', messages })
    const req = fake.requests.at(-1)
    expect(req?.model).toBe('openai/gpt-4o-mini')
    expect(req?.body).toMatchObject({
      model: 'openai/gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
      usage: { include: true },
    })
    expect(req?.headers['authorization']).toBe('Bearer sk-test')
    expect(req?.headers['http-referer']).toBe('https://t3chat.example')
    expect(req?.headers['x-title']).toBe('t3chat tests')
  })

  it('reuses one keep-alive connection across sequential streams', async () => {
    await collect(llm, { model: 'fake/lorem:tokens=2', messages: hello })
    const before = fake.connections
    for (let i = 0; i < 5; i++) {
      await collect(llm, { model: 'fake/lorem:tokens=2', messages: hello })
    }
    expect(fake.connections).toBe(before)
  })
})

describe('caller abort', () => {
  it('ends the iteration without throwing and really disconnects the upstream', async () => {
    const controller = new AbortController()
    const before = fake.requests.length
    let deltas = 0
    for await (const ev of llm.stream({
      model: 'fake/lorem:tokens=500,delay=10',
      messages: hello,
      signal: controller.signal,
    })) {
      if (ev.type === 'delta' && ++deltas === 3) controller.abort()
    }
    expect(deltas).toBe(3)
    const req = fake.requests[before]
    await req?.finished
    expect(req?.aborted).toBe(true)
    expect(fake.requests).toHaveLength(before + 1)
  })

  it('aborts the upstream when the consumer breaks out of the loop', async () => {
    const before = fake.requests.length
    for await (const ev of llm.stream({
      model: 'fake/lorem:tokens=500,delay=10',
      messages: hello,
      signal: new AbortController().signal,
    })) {
      if (ev.type === 'delta') break
    }
    const req = fake.requests[before]
    await req?.finished
    expect(req?.aborted).toBe(true)
  })

  it('ends silently when aborted while waiting for the first token', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const started = Date.now()
    const { events, error } = await collect(llm, {
      model: 'fake/lorem:first=5000',
      messages: hello,
      signal: controller.signal,
    })
    expect(error).toBeNull()
    expect(events).toEqual([])
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('yields nothing and sends nothing when the signal is already aborted', async () => {
    const before = fake.requests.length
    const { events } = await collect(llm, {
      model: 'fake/lorem',
      messages: hello,
      signal: AbortSignal.abort(),
    })
    expect(events).toEqual([])
    expect(fake.requests).toHaveLength(before)
  })
})

describe('complete and listModels', () => {
  it('returns the whole text of a non-streaming completion', async () => {
    const text = await llm.complete({
      model: 'fake/title:text=Rust%20Ownership%20Explained',
      messages: hello,
      maxTokens: 20,
    })
    expect(text).toBe('Rust Ownership Explained')
    expect(fake.requests.at(-1)?.body.stream).toBe(false)
  })

  it('maps the upstream model list, pricing strings kept', async () => {
    const models = await llm.listModels()
    expect(models.find((m) => m.id === 'fake/tiny')).toEqual({
      id: 'fake/tiny',
      name: 'Fake: Tiny',
      contextLength: 256,
      pricing: { prompt: '0.0000005', completion: '0.000001' },
    })
    expect(models.find((m) => m.id === 'openai/gpt-4o-mini')?.pricing?.prompt).toBe('0.00000015')
  })
})
