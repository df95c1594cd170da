import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_MODEL_IDS, loremText, startFakeUpstream, type FakeUpstream } from '../src/fake/index'
import { FALLBACK_MODELS } from '../src/index'

let fake: FakeUpstream

beforeAll(async () => {
  fake = await startFakeUpstream()
})
afterAll(() => fake.close())

function post(body: unknown, headers: Record<string, string> = { authorization: 'Bearer x' }) {
  return fetch(`${fake.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
}

const messages = [{ role: 'user', content: 'one two three' }]

describe('fake upstream (raw HTTP)', () => {
  it('streams OpenRouter-shaped SSE: role first, stop, usage with choices [], then [DONE]', async () => {
    const res = await post({ model: 'fake/echo', messages, stream: true })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const events = (await res.text()).split('\n\n').filter(Boolean)
    expect(events.at(-1)).toBe('data: [DONE]')
    const chunks = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.slice('data: '.length)) as Record<string, unknown>)
    expect(chunks[0]).toMatchObject({
      object: 'chat.completion.chunk',
      model: 'fake/echo',
      choices: [{ index: 0, delta: { role: 'assistant', content: 'one' }, finish_reason: null }],
    })
    expect(chunks.at(-2)).toMatchObject({ choices: [{ finish_reason: 'stop' }] })
    const promptTokens = Math.ceil('one two three'.length / 4)
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: 3,
        total_tokens: promptTokens + 3,
        cost: 3 * 0.000001 + promptTokens * 0.0000005,
      },
    })
  })

  it('answers non-streaming requests with one chat.completion', async () => {
    const res = await post({ model: 'fake/lorem:tokens=4', messages })
    const json = (await res.json()) as {
      object: string
      choices: Array<{ message: { content: string } }>
    }
    expect(json.object).toBe('chat.completion')
    expect(json.choices[0]?.message.content).toBe(loremText(4))
  })

  it('requires a bearer token', async () => {
    const res = await post({ model: 'fake/lorem', messages }, {})
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({
      error: { code: 401, message: 'No auth credentials found', metadata: {} },
    })
  })

  it('answers planned errors with OpenRouter bodies and Retry-After', async () => {
    const res = await post({
      model: 'fake/error:status=429,retryAfter=3,message=slow%2C%20down',
      messages,
    })
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('3')
    expect(await res.json()).toEqual({ error: { code: 429, message: 'slow, down', metadata: {} } })
  })

  it('rejects unknown fake slugs like OpenRouter rejects unknown models', async () => {
    const res = await post({ model: 'fake/nope', messages, stream: true })
    expect(res.status).toBe(400)
  })

  it('counts flaky failures per exact model id and per instance', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 3; i++)
      statuses.push((await post({ model: 'fake/flaky:fails=2,status=502', messages })).status)
    expect(statuses).toEqual([502, 502, 200])
    const other = await startFakeUpstream()
    const res = await fetch(`${other.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake/flaky:fails=2,status=502', messages }),
    })
    expect(res.status).toBe(502)
    await other.close()
  })

  it('lists fake slugs and the fallback ids in /models, or 503 when told to', async () => {
    const res = await fetch(`${fake.baseURL}/models`)
    const { data } = (await res.json()) as {
      data: Array<{ id: string; context_length: number; top_provider: object }>
    }
    const ids = data.map((m) => m.id)
    expect(ids).toEqual(
      expect.arrayContaining([...FAKE_MODEL_IDS, ...FALLBACK_MODELS.map((m) => m.id)]),
    )
    expect(data.find((m) => m.id === 'fake/tiny')).toMatchObject({
      context_length: 256,
      top_provider: { context_length: 256 },
    })
    fake.setModelsAvailable(false)
    expect((await fetch(`${fake.baseURL}/models`)).status).toBe(503)
    fake.setModelsAvailable(true)
  })

  it('close() ends a stalled stream and the request shows it never finished normally', async () => {
    const other = await startFakeUpstream()
    const res = await fetch(`${other.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake/stall:after=1', messages, stream: true }),
    })
    const reader = res.body?.getReader()
    await reader?.read()
    await other.close()
    await other.requests[0]?.finished
    expect(other.requests[0]?.aborted).toBe(true)
    await expect(reader?.read()).rejects.toThrow()
  })
})
