import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loremText } from '@t3chat/llm/fake'
import { useHarness } from './harness'
import {
  conversationRow,
  finalMessage,
  messageRow,
  requestsFor,
  rowCounts,
  sendAndFinish,
  sentMessages,
} from './support/engine'

const h = useHarness()

describe('chat.regenerate', () => {
  it('hides the previous answer (kept in the database), answers with the next seq and an optional new model', async () => {
    const { caller } = await h.user()
    const first = await sendAndFinish(caller, { content: 'what is up', model: 'fake/echo' })
    const conversationId = first.conversation.id
    const model = 'fake/lorem:tokens=4,run=regen'
    const clientMessageId = randomUUID()

    const regen = await caller.chat.regenerate({ conversationId, clientMessageId, model })
    expect(regen.assistantMessage).toMatchObject({
      seq: 3,
      role: 'assistant',
      status: 'pending',
      model,
      conversationId,
    })
    expect(regen.conversation.currentModel).toBe(model)
    const answer = await finalMessage(caller, regen.assistantMessage.id)
    expect(answer).toMatchObject({ status: 'completed', content: loremText(4), seq: 3 })

    // The model saw the question only, not the answer it replaces.
    expect(sentMessages(requestsFor(h, model)[0])).toEqual([
      { role: 'user', content: 'what is up' },
    ])

    const page = await caller.message.list({ conversationId })
    expect(page.items.map((m) => [m.seq, m.id])).toEqual([
      [1, first.userMessage.id],
      [3, answer.id],
    ])
    const conversation = await caller.conversation.get({ id: conversationId })
    expect(conversation).toMatchObject({ messageCount: 2, currentModel: model })
    // Not destroyed: the old answer is still stored, hidden.
    const previous = await messageRow(h.db, first.assistantMessage.id)
    expect(previous).toMatchObject({ hidden: true, content: 'what is up', status: 'completed' })
    expect((await conversationRow(h.db, conversationId)).lastSeq).toBe(3)

    // The next turn's context holds the new answer and not the hidden one; seqs go on from 3.
    const nextModel = 'fake/echo:run=after-regen'
    const next = await sendAndFinish(caller, {
      conversationId,
      content: 'and then',
      model: nextModel,
    })
    expect([next.userMessage.seq, next.assistantMessage.seq]).toEqual([4, 5])
    expect(sentMessages(requestsFor(h, nextModel)[0])).toEqual([
      { role: 'user', content: 'what is up' },
      { role: 'assistant', content: loremText(4) },
      { role: 'user', content: 'and then' },
    ])
  })

  it('is idempotent on clientMessageId: the same id returns the same answer and starts nothing', async () => {
    const { caller } = await h.user()
    const first = await sendAndFinish(caller, { content: 'once', model: 'fake/echo' })
    const model = 'fake/slow:tokens=10,run=regen-idem'
    const clientMessageId = randomUUID()
    const input = { conversationId: first.conversation.id, clientMessageId, model }
    const a = await caller.chat.regenerate(input)
    const counts = await rowCounts(h.db)
    // While it streams (a second regenerate with a new id would be CONFLICT) …
    const b = await caller.chat.regenerate(input)
    expect(b.assistantMessage.id).toBe(a.assistantMessage.id)
    await finalMessage(caller, a.assistantMessage.id)
    // … and after it completed.
    const c = await caller.chat.regenerate(input)
    expect(c.assistantMessage).toMatchObject({ id: a.assistantMessage.id, status: 'completed' })
    expect(c.assistantMessage.content).toBe(loremText(10))
    expect(await rowCounts(h.db)).toEqual(counts)
    expect(requestsFor(h, model)).toHaveLength(1)
  })

  it('keeps the model when none is given, and regenerates again after a failed answer', async () => {
    const { caller } = await h.user()
    const failing = 'fake/error:status=402'
    const first = await sendAndFinish(caller, { content: 'pay me', model: failing })
    expect(first.answer.error?.code).toBe('payment_required')
    const regen = await caller.chat.regenerate({
      conversationId: first.conversation.id,
      clientMessageId: randomUUID(),
    })
    expect(regen.assistantMessage.model).toBe(failing)
    expect((await finalMessage(caller, regen.assistantMessage.id)).error?.code).toBe(
      'payment_required',
    )
    const fixed = await caller.chat.regenerate({
      conversationId: first.conversation.id,
      clientMessageId: randomUUID(),
      model: 'fake/echo',
    })
    expect(fixed.assistantMessage.seq).toBe(4)
    expect(await finalMessage(caller, fixed.assistantMessage.id)).toMatchObject({
      status: 'completed',
      content: 'pay me',
    })
    const page = await caller.message.list({ conversationId: first.conversation.id })
    expect(page.items.map((m) => m.seq)).toEqual([1, 4])
    expect((await caller.conversation.get({ id: first.conversation.id })).messageCount).toBe(2)
  })

  it('regression: a clientMessageId already used by chat.send is refused, not returned as the answer', async () => {
    const { caller } = await h.user()
    const clientMessageId = randomUUID()
    const first = await sendAndFinish(caller, {
      clientMessageId,
      content: 'a question',
      model: 'fake/echo',
    })
    const counts = await rowCounts(h.db)
    await expect(
      caller.chat.regenerate({ conversationId: first.conversation.id, clientMessageId }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: /^clientMessageId: already used/ })
    expect(await rowCounts(h.db)).toEqual(counts)
  })
})
