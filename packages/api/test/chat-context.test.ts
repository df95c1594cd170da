import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loremText } from '@t3chat/llm/fake'
import { useHarness } from './harness'
import { requestsFor, sendAndFinish, sentMessages, streamToEnd, finalOf } from './support/engine'

const h = useHarness()

describe('model switch on chat.send', () => {
  it('changes currentModel before the answer, and the request reaches the fake with that model', async () => {
    const { caller } = await h.user()
    const first = await sendAndFinish(caller, { content: 'start', model: 'fake/echo' })
    expect(first.conversation.currentModel).toBe('fake/echo')

    const switched = 'fake/lorem:tokens=3,run=switch'
    const second = await sendAndFinish(caller, {
      conversationId: first.conversation.id,
      content: 'now you',
      model: switched,
    })
    expect(second.conversation.currentModel).toBe(switched)
    expect(second.assistantMessage.model).toBe(switched)
    expect(second.answer).toMatchObject({ model: switched, content: loremText(3) })
    const [request] = requestsFor(h, switched)
    expect(request?.body.model).toBe(switched)
    expect(request?.body.stream).toBe(true)
    expect((await caller.conversation.get({ id: first.conversation.id })).currentModel).toBe(
      switched,
    )

    // Without a model the next turn stays on the switched one.
    const third = await sendAndFinish(caller, {
      conversationId: first.conversation.id,
      content: 'again',
    })
    expect(third.answer.model).toBe(switched)
    expect(requestsFor(h, switched)).toHaveLength(2)
  })

  it('a systemPrompt on chat.send replaces the conversation’s and leads the next context', async () => {
    const { caller } = await h.user()
    const first = await sendAndFinish(caller, {
      content: 'hi',
      model: 'fake/echo',
      systemPrompt: 'Old rules.',
    })
    const model = 'fake/echo:run=new-system'
    const next = await sendAndFinish(caller, {
      conversationId: first.conversation.id,
      content: 'again',
      model,
      systemPrompt: 'New rules.',
    })
    expect(next.conversation.systemPrompt).toBe('New rules.')
    expect(sentMessages(requestsFor(h, model)[0])).toEqual([
      { role: 'system', content: 'New rules.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hi' },
      { role: 'user', content: 'again' },
    ])
  })
})

describe('context window (fake/tiny: 256 tokens)', () => {
  it('drops the oldest history first, keeps the system prompt, the newest message and a contiguous recent past', async () => {
    const { caller } = await h.user()
    const line = (i: number) => `message ${String(i).padStart(2, '0')} `.padEnd(60, 'abc ')
    const first = await sendAndFinish(caller, {
      content: line(1),
      model: 'fake/echo',
      systemPrompt: 'Be brief.',
    })
    const conversationId = first.conversation.id
    for (let i = 2; i <= 8; i++) {
      await sendAndFinish(caller, { conversationId, content: line(i) })
    }
    const history = (await caller.message.list({ conversationId })).items.map((m) => ({
      role: m.role,
      content: m.content,
    }))
    expect(history).toHaveLength(16)

    const model = 'fake/tiny:run=trim'
    const newest = 'the newest question'
    const { answer } = await sendAndFinish(caller, { conversationId, content: newest, model })
    expect(answer).toMatchObject({ status: 'completed', content: newest })

    const requests = requestsFor(h, model)
    expect(requests).toHaveLength(1)
    const sent = sentMessages(requests[0])
    expect(sent[0]).toEqual({ role: 'system', content: 'Be brief.' })
    expect(sent.at(-1)).toEqual({ role: 'user', content: newest })
    const kept = sent.slice(1, -1)
    expect(kept.length).toBeGreaterThan(0)
    expect(kept.length).toBeLessThan(history.length)
    // Newest first kept: what is left is exactly the end of the history, in order.
    expect(kept).toEqual(history.slice(history.length - kept.length))
    expect(sent.some((m) => m.content === line(1))).toBe(false)
    // And it fits the fake's own count (chars / 4) with room to answer.
    const chars = sent.reduce((n, m) => n + m.content.length, 0)
    expect(Math.ceil(chars / 4)).toBeLessThanOrEqual(256)
  })

  it('a single message too large for the model ends context_length_exceeded without any request', async () => {
    const { caller } = await h.user()
    const model = 'fake/tiny:run=too-big'
    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'word '.repeat(200),
      model,
    })
    const events = await streamToEnd(caller, sent.assistantMessage.id)
    const final = finalOf(events)
    expect(final).toMatchObject({ status: 'error', content: '' })
    expect(final.error?.code).toBe('context_length_exceeded')
    expect(final.error?.message).toMatch(/too long for fake\/tiny.*shorten it.*larger context/)
    expect(requestsFor(h, model)).toHaveLength(0)

    // The conversation is free again, and a message that fits is answered.
    const next = await sendAndFinish(caller, {
      conversationId: sent.conversation.id,
      content: 'short one',
    })
    expect(next.answer).toMatchObject({ status: 'completed', content: 'short one' })
    expect(sentMessages(requestsFor(h, model)[0])).toEqual([{ role: 'user', content: 'short one' }])
  })
})
