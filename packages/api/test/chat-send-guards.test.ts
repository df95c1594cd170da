import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useHarness, startHarness } from './harness'
import {
  conversationRow,
  expectError,
  finalMessage,
  requestsFor,
  rowCounts,
  sendAndFinish,
  textAtLeast,
  readUntil,
} from './support/engine'

const h = useHarness({ config: { maxConcurrentGenerationsPerUser: 2 } })

describe('chat.send idempotency (same clientMessageId)', () => {
  it('returns the first result and writes nothing after the answer completed', async () => {
    const { caller } = await h.user()
    const clientMessageId = randomUUID()
    const model = 'fake/echo:run=idem-done'
    const first = await sendAndFinish(caller, { clientMessageId, content: 'once only', model })
    const before = await rowCounts(h.db)

    const again = await caller.chat.send({ clientMessageId, content: 'once only', model })
    expect(again.conversation.id).toBe(first.conversation.id)
    expect(again.userMessage).toEqual(first.userMessage)
    expect(again.assistantMessage).toMatchObject({
      id: first.assistantMessage.id,
      seq: 2,
      status: 'completed',
      content: 'once only',
    })
    // Even with another conversation id or content, the first send is the answer.
    const other = await caller.chat.send({
      clientMessageId,
      conversationId: first.conversation.id,
      content: 'something else',
    })
    expect(other.userMessage.id).toBe(first.userMessage.id)
    expect(await rowCounts(h.db)).toEqual(before)
    expect(requestsFor(h, model)).toHaveLength(1)
  })

  it('returns the first result while its answer is still streaming, with no second generation', async () => {
    const { caller } = await h.user()
    const clientMessageId = randomUUID()
    const model = 'fake/slow:run=idem-live'
    const first = await caller.chat.send({ clientMessageId, content: 'slow one', model })
    await readUntil(caller, first.assistantMessage.id, textAtLeast(1))
    const before = await rowCounts(h.db)

    const again = await caller.chat.send({ clientMessageId, content: 'slow one', model })
    expect(again.conversation.id).toBe(first.conversation.id)
    expect(again.userMessage.id).toBe(first.userMessage.id)
    expect(again.assistantMessage.id).toBe(first.assistantMessage.id)
    expect(again.assistantMessage.status).toBe('streaming')
    expect(again.assistantMessage.content.length).toBeGreaterThan(0)
    expect(await rowCounts(h.db)).toEqual(before)

    const answer = await finalMessage(caller, first.assistantMessage.id)
    expect(answer.status).toBe('completed')
    expect(requestsFor(h, model)).toHaveLength(1)
    expect(await rowCounts(h.db)).toEqual(before)
  })

  it('two concurrent sends with one clientMessageId create one conversation and one turn', async () => {
    const { id: userId, caller } = await h.user()
    const clientMessageId = randomUUID()
    const model = 'fake/echo:run=idem-race'
    const input = { clientMessageId, content: 'racing', model }
    const [a, b] = await Promise.all([caller.chat.send(input), caller.chat.send(input)])
    expect(b.conversation.id).toBe(a.conversation.id)
    expect(b.userMessage.id).toBe(a.userMessage.id)
    expect(b.assistantMessage.id).toBe(a.assistantMessage.id)
    await finalMessage(caller, a.assistantMessage.id)
    const conversations = await h.db
      .selectFrom('conversations')
      .select('id')
      .where('userId', '=', userId)
      .execute()
    expect(conversations).toHaveLength(1)
    expect(requestsFor(h, model)).toHaveLength(1)
  })
})

describe('CONFLICT while an answer is pending or streaming', () => {
  it('refuses send and regenerate in a busy conversation and writes nothing; accepts after the end', async () => {
    const { caller } = await h.user()
    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'keep going',
      model: 'fake/slow:tokens=100',
    })
    const before = await rowCounts(h.db)
    const conversationBefore = await conversationRow(h.db, sent.conversation.id)

    // pending (before the first token) and streaming (after it): both are busy
    await expectError(
      caller.chat.send({
        clientMessageId: randomUUID(),
        conversationId: sent.conversation.id,
        content: 'me too',
      }),
      'CONFLICT',
      /still being generated/,
    )
    await readUntil(caller, sent.assistantMessage.id, textAtLeast(1))
    const newClientId = randomUUID()
    await expectError(
      caller.chat.send({
        clientMessageId: newClientId,
        conversationId: sent.conversation.id,
        content: 'me too',
      }),
      'CONFLICT',
      /chat\.stop/,
    )
    await expectError(
      caller.chat.regenerate({
        conversationId: sent.conversation.id,
        clientMessageId: randomUUID(),
      }),
      'CONFLICT',
    )
    expect(await rowCounts(h.db)).toEqual(before)
    expect(await conversationRow(h.db, sent.conversation.id)).toEqual(conversationBefore)

    expect((await finalMessage(caller, sent.assistantMessage.id)).status).toBe('completed')
    // The refused client id was not burnt: it works once the conversation is free.
    const next = await sendAndFinish(caller, {
      clientMessageId: newClientId,
      conversationId: sent.conversation.id,
      content: 'now me',
      model: 'fake/echo',
    })
    expect(next.userMessage.seq).toBe(3)
    expect(next.answer).toMatchObject({ status: 'completed', content: 'now me' })
  })
})

describe('TOO_MANY_REQUESTS beyond maxConcurrentGenerationsPerUser', () => {
  // Long enough to stay live through the whole test, even on a busy machine; stopped at the end.
  const SLOW = 'fake/slow:tokens=1000'

  it('refuses a third live answer of one user (limit 2), writes nothing, and frees the slot at the end', async () => {
    const { caller } = await h.user()
    const idle = await sendAndFinish(caller, { content: 'earlier', model: 'fake/echo' })
    const send = (content: string) =>
      caller.chat.send({ clientMessageId: randomUUID(), content, model: SLOW })
    const one = await send('one')
    const two = await send('two')
    const before = await rowCounts(h.db)
    const refusedId = randomUUID()
    await expectError(
      caller.chat.send({ clientMessageId: refusedId, content: 'three', model: SLOW }),
      'TOO_MANY_REQUESTS',
      /limit 2/,
    )
    await expectError(
      caller.chat.send({
        clientMessageId: randomUUID(),
        conversationId: idle.conversation.id,
        content: 'three',
      }),
      'TOO_MANY_REQUESTS',
    )
    await expectError(
      caller.chat.regenerate({
        conversationId: idle.conversation.id,
        clientMessageId: randomUUID(),
      }),
      'TOO_MANY_REQUESTS',
    )
    expect(await rowCounts(h.db)).toEqual(before)

    // Another user is not limited by this one.
    const other = await h.user()
    const theirs = await sendAndFinish(other.caller, { content: 'mine', model: 'fake/echo' })
    expect(theirs.answer.status).toBe('completed')

    const stopped = await caller.chat.stop({ messageId: one.assistantMessage.id })
    expect(stopped.status).toBe('cancelled')
    const third = await sendAndFinish(caller, {
      clientMessageId: refusedId,
      content: 'three',
      model: 'fake/echo',
    })
    expect(third.answer.status).toBe('completed')
    expect((await caller.chat.stop({ messageId: two.assistantMessage.id })).status).toBe(
      'cancelled',
    )
  })
})

describe('keyless run', () => {
  it('chat.send and chat.regenerate fail PRECONDITION_FAILED naming OPENROUTER_API_KEY, writing nothing', async () => {
    const keyless = await startHarness({ keyless: true })
    try {
      const { caller } = await keyless.user()
      const conversation = await caller.conversation.create({ title: 'no key' })
      const before = await rowCounts(keyless.db)
      await expectError(
        caller.chat.send({ clientMessageId: randomUUID(), content: 'hello' }),
        'PRECONDITION_FAILED',
        /OPENROUTER_API_KEY/,
      )
      await expectError(
        caller.chat.send({
          clientMessageId: randomUUID(),
          conversationId: conversation.id,
          content: 'hello',
        }),
        'PRECONDITION_FAILED',
        /OPENROUTER_API_KEY/,
      )
      await expectError(
        caller.chat.regenerate({ conversationId: conversation.id, clientMessageId: randomUUID() }),
        'PRECONDITION_FAILED',
        /OPENROUTER_API_KEY/,
      )
      expect(await rowCounts(keyless.db)).toEqual(before)
      expect(before.messages).toBe(0)
      expect(keyless.fake.requests).toHaveLength(0)
    } finally {
      await keyless.close()
    }
  })
})
