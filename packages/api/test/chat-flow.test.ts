import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'
import type { ChatEvent } from '../src/index'
import { collect } from './streams'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => {
  await h.close()
})

describe('chat flow (createCaller)', () => {
  it('send → status → deltas → final; the database holds exactly the streamed text, usage and cost', async () => {
    const { caller } = await h.user()
    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'hello there streaming world',
      model: 'fake/echo',
    })
    expect(sent.userMessage.seq).toBe(1)
    expect(sent.assistantMessage).toMatchObject({ seq: 2, status: 'pending', role: 'assistant' })
    expect(sent.conversation.currentModel).toBe('fake/echo')

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
})
