import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loremText } from '@t3chat/llm/fake'
import { startHarness, type Harness } from './harness'
import {
  deltaText,
  finalOf,
  messageRow,
  requestsFor,
  sendAndFinish,
  sentMessages,
  streamToEnd,
} from './support/engine'

let h: Harness
beforeAll(async () => {
  // The harness's provider: idle timeout 2 s, retry base 10 ms, two retries before the first token.
  h = await startHarness()
})
afterAll(async () => {
  await h.close()
})

interface Case {
  name: string
  model: string
  code: string
  message: RegExp
  /** The text kept with the error. */
  partial: string
  /** Requests the fake saw: 3 when the status is retried twice. */
  requests: number
}

const cases: Case[] = [
  {
    name: '400 bad request',
    model: 'fake/error:status=400',
    code: 'bad_request',
    message:
      /rejected the request \(fake\/error:status=400 is not a valid model ID\)\. Check the model id/,
    partial: '',
    requests: 1,
  },
  {
    name: '400 context too long',
    model: 'fake/error:status=400,context=1',
    code: 'context_length_exceeded',
    message: /too long for this model.*maximum context length.*Start a new chat/,
    partial: '',
    requests: 1,
  },
  {
    name: '401 invalid key',
    model: 'fake/error:status=401',
    code: 'unauthorized',
    message: /rejected the API key \(User not found\.\)\. Check OPENROUTER_API_KEY/,
    partial: '',
    requests: 1,
  },
  {
    name: '402 out of credits',
    model: 'fake/error:status=402',
    code: 'payment_required',
    message: /Out of credits.*add credits/,
    partial: '',
    requests: 1,
  },
  {
    name: '403 moderation',
    model: 'fake/error:status=403',
    code: 'forbidden',
    message: /refused the input.*flagged for: harassment\. Rephrase/,
    partial: '',
    requests: 1,
  },
  {
    name: '408 timeout (retried twice)',
    model: 'fake/error:status=408,retryAfter=0',
    code: 'timeout',
    message: /timed out.*Try again/,
    partial: '',
    requests: 3,
  },
  {
    name: '429 rate limited (retried twice)',
    model: 'fake/error:status=429,retryAfter=0',
    code: 'rate_limited',
    message: /Rate limited by the model provider.*try again/,
    partial: '',
    requests: 3,
  },
  {
    name: '500 server error (not retried)',
    model: 'fake/error:status=500',
    code: 'upstream_unavailable',
    message: /unavailable right now.*Try again shortly/,
    partial: '',
    requests: 1,
  },
  {
    name: '502 bad gateway (retried twice)',
    model: 'fake/error:status=502',
    code: 'upstream_unavailable',
    message: /unavailable right now \(Provider returned error\)/,
    partial: '',
    requests: 3,
  },
  {
    name: '503 no provider (retried twice)',
    model: 'fake/error:status=503,retryAfter=0',
    code: 'upstream_unavailable',
    message: /unavailable right now \(No instances available/,
    partial: '',
    requests: 3,
  },
  {
    name: 'mid-stream error 502 (not retried after text)',
    model: 'fake/midstream:after=5,code=502,delay=20',
    code: 'upstream_unavailable',
    message: /unavailable right now.*Try again/,
    partial: loremText(5),
    requests: 1,
  },
  {
    name: 'mid-stream error 429',
    model: 'fake/midstream:after=4,code=429,delay=20',
    code: 'rate_limited',
    message: /Rate limited/,
    partial: loremText(4),
    requests: 1,
  },
  {
    name: 'stall past the idle timeout',
    model: 'fake/stall:after=3,delay=20',
    code: 'timeout',
    message: /stopped sending tokens for 2 s\. Try again/,
    partial: loremText(3),
    requests: 1,
  },
]

describe('upstream failures end the answer as error, keep the text, and free the conversation', () => {
  it.each(cases)('$name → $code', async (c) => {
    const { caller } = await h.user()
    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'tell me something',
      model: c.model,
    })
    expect(sent.assistantMessage.status).toBe('pending')
    const events = await streamToEnd(caller, sent.assistantMessage.id)
    // Followed live (it starts with a status), the deltas are exactly the kept text.
    if (events[0]?.data.type === 'status') expect(deltaText(events)).toBe(c.partial)
    const final = finalOf(events)
    expect(final.status).toBe('error')
    expect(final.error?.code).toBe(c.code)
    expect(final.error?.message).toMatch(c.message)
    expect(final.content).toBe(c.partial)
    expect(requestsFor(h, c.model)).toHaveLength(c.requests)

    const row = await messageRow(h.db, sent.assistantMessage.id)
    expect(row).toMatchObject({
      status: 'error',
      errorCode: c.code,
      errorMessage: final.error?.message,
      content: c.partial,
    })
    expect(row.completedAt).not.toBeNull()
    const listed = await caller.message.list({ conversationId: sent.conversation.id })
    expect(listed.items.at(-1)).toEqual(final)

    // The conversation takes the next message; the failed answer stays out of its context.
    const nextModel = `fake/echo:case=${cases.indexOf(c)}`
    const next = await sendAndFinish(caller, {
      conversationId: sent.conversation.id,
      content: 'try again please',
      model: nextModel,
    })
    expect(next.answer).toMatchObject({ status: 'completed', content: 'try again please', seq: 4 })
    expect(sentMessages(requestsFor(h, nextModel)[0])).toEqual([
      { role: 'user', content: 'tell me something' },
      { role: 'user', content: 'try again please' },
    ])
  })

  it('a status that recovers within the retries completes normally (flaky 503 twice)', async () => {
    const { caller } = await h.user()
    const model = 'fake/flaky:fails=2,status=503,tokens=4'
    const { answer } = await sendAndFinish(caller, { content: 'hello', model })
    expect(answer).toMatchObject({ status: 'completed', content: loremText(4), error: null })
    expect(requestsFor(h, model)).toHaveLength(3)
  })

  it('a status that fails once more than the retries ends upstream_unavailable (flaky 503 thrice)', async () => {
    const { caller } = await h.user()
    const model = 'fake/flaky:fails=3,status=503'
    const { answer } = await sendAndFinish(caller, { content: 'hello', model })
    expect(answer.error?.code).toBe('upstream_unavailable')
    expect(requestsFor(h, model)).toHaveLength(3)
  })
})
