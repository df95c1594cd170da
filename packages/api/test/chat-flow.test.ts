import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loremText } from '@t3chat/llm/fake'
import { useHarness } from './harness'
import type { ChatEvent } from '../src/index'
import { collect } from './streams'
import {
  conversationRow,
  deltaText,
  finalOf,
  messageRow,
  requestsFor,
  sendAndFinish,
  sentMessages,
} from './support/engine'

const h = useHarness()

describe('chat flow (createCaller)', () => {
  it('send → status → deltas → final; the database holds exactly the streamed text, usage and cost', async () => {
    const { caller } = await h.user()
    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'hello there streaming world',
      // Paced, so the subscription below is there before the answer ends even on a busy machine.
      model: 'fake/echo:first=200,delay=5',
    })
    expect(sent.userMessage.seq).toBe(1)
    expect(sent.assistantMessage).toMatchObject({ seq: 2, status: 'pending', role: 'assistant' })
    expect(sent.conversation.currentModel).toBe('fake/echo:first=200,delay=5')

    const events = await collect<ChatEvent>(
      await caller.chat.stream({ messageId: sent.assistantMessage.id }),
    )
    const types = events.map((e) => e.data.type)
    expect(types[0]).toBe('status')
    expect(types).toContain('delta')
    expect(types.at(-1)).toBe('final')
    const streamed = events.flatMap((e) => (e.data.type === 'delta' ? [e.data.text] : [])).join('')
    expect(streamed).toBe('hello there streaming world')

    const page = await caller.message.list({ conversationId: sent.conversation.id })
    const answer = page.items.find((m) => m.id === sent.assistantMessage.id)
    expect(answer?.content).toBe(streamed)
    expect(answer?.status).toBe('completed')
    expect(answer?.usage?.completionTokens).toBeGreaterThan(0)
    expect(answer?.usage?.cost).toBeGreaterThan(0)
  })

  it('stores exactly the streamed text, the usage and the cost in the row; ids of deltas are content lengths', async () => {
    const { caller } = await h.user()
    const model = 'fake/lorem:tokens=60,delay=1,first=200'
    const sent = await caller.chat.send({ clientMessageId: randomUUID(), content: 'go', model })
    const events = await collect<ChatEvent>(
      await caller.chat.stream({ messageId: sent.assistantMessage.id }),
    )
    const statuses = events.flatMap((e) => (e.data.type === 'status' ? [e.data.status] : []))
    expect(statuses).toEqual(['pending', 'streaming'])
    let length = 0
    for (const event of events) {
      if (event.data.type !== 'delta') continue
      length += event.data.text.length
      expect(event.id).toBe(String(length))
    }
    const text = deltaText(events)
    expect(text).toBe(loremText(60))
    const final = finalOf(events)
    expect(final).toMatchObject({ status: 'completed', content: text, error: null, model })
    expect(final.completedAt).not.toBeNull()

    const row = await messageRow(h.db, sent.assistantMessage.id)
    expect(row).toMatchObject({ content: text, status: 'completed', errorCode: null })
    expect(row.completionTokens).toBe(60)
    expect(row.promptTokens).toBe(1) // ceil(2 chars / 4), as the fake counts
    expect(row.cost).toBeCloseTo(60 * 0.000001 + 1 * 0.0000005, 12)
    expect(final.usage).toEqual({
      promptTokens: 1,
      completionTokens: 60,
      cost: row.cost,
      costSource: 'provider',
    })

    const conversation = await conversationRow(h.db, sent.conversation.id)
    expect(conversation).toMatchObject({ activeMessageId: null, messageCount: 2, lastSeq: 2 })
  })

  it('chat.send without conversationId creates the conversation with its systemPrompt and model', async () => {
    const { id: userId, caller } = await h.user()
    const model = 'fake/lorem:tokens=3,run=create'
    const { conversation, userMessage, answer } = await sendAndFinish(caller, {
      content: 'first words',
      model,
      systemPrompt: 'You answer in haiku.',
    })
    expect(conversation).toMatchObject({
      systemPrompt: 'You answer in haiku.',
      currentModel: model,
      messageCount: 2,
      preview: 'first words',
    })
    expect(userMessage).toMatchObject({ seq: 1, role: 'user', status: 'completed' })
    expect(answer.status).toBe('completed')
    expect(await caller.conversation.get({ id: conversation.id })).toMatchObject({
      systemPrompt: 'You answer in haiku.',
      currentModel: model,
    })
    const row = await conversationRow(h.db, conversation.id)
    expect(row.userId).toBe(userId)

    const [request, ...more] = requestsFor(h, model)
    expect(more).toHaveLength(0)
    expect(sentMessages(request)).toEqual([
      { role: 'system', content: 'You answer in haiku.' },
      { role: 'user', content: 'first words' },
    ])
    const list = await caller.conversation.list()
    expect(list.items.map((c) => c.id)).toEqual([conversation.id])
  })

  it('a second turn sends the history and the new message, and seqs stay gap-free', async () => {
    const { caller } = await h.user()
    const first = await sendAndFinish(caller, { content: 'one two', model: 'fake/echo' })
    const second = await sendAndFinish(caller, {
      conversationId: first.conversation.id,
      content: 'three four',
      model: 'fake/echo:run=second-turn',
    })
    expect([second.userMessage.seq, second.assistantMessage.seq]).toEqual([3, 4])
    expect(second.answer.content).toBe('three four')
    const [request] = requestsFor(h, 'fake/echo:run=second-turn')
    expect(sentMessages(request)).toEqual([
      { role: 'user', content: 'one two' },
      { role: 'assistant', content: 'one two' },
      { role: 'user', content: 'three four' },
    ])
    const page = await caller.message.list({ conversationId: first.conversation.id })
    expect(page.items.map((m) => m.seq)).toEqual([1, 2, 3, 4])
  })

  it('regression: a user message read back keeps the completedAt chat.send returned (the row had none)', async () => {
    const { caller } = await h.user()
    const sent = await sendAndFinish(caller, { content: 'when was I done', model: 'fake/echo' })
    expect(sent.userMessage.completedAt).not.toBeNull()
    const page = await caller.message.list({ conversationId: sent.conversation.id })
    expect(page.items[0]).toEqual(sent.userMessage)
    const row = await messageRow(h.db, sent.userMessage.id)
    expect(row.completedAt?.toISOString()).toBe(sent.userMessage.completedAt)
  })
})
