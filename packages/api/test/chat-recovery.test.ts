import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loremText } from '@t3chat/llm/fake'
import type { Message } from '../src/index'
import { startHarness, type Harness } from './harness'
import {
  type Caller,
  conversationRow,
  expectError,
  finalOf,
  messageRow,
  readUntil,
  requestsFor,
  sendAndFinish,
  sentMessages,
  streamToEnd,
  textAtLeast,
} from './support/engine'

/** Writes a conversation whose answer a crash left `status`, as the rows would be on disk. */
async function crashLeftover(
  h: Harness,
  userId: string,
  answer: { status: 'pending' | 'streaming'; content: string },
) {
  const conversationId = randomUUID()
  const userMessageId = randomUUID()
  const answerId = randomUUID()
  await h.db
    .insertInto('conversations')
    .values({
      id: conversationId,
      userId,
      currentModel: 'fake/echo',
      lastSeq: 2,
      messageCount: 2,
      lastMessageAt: new Date(),
      preview: 'before the crash',
      activeMessageId: answerId,
    })
    .execute()
  await h.db
    .insertInto('messages')
    .values([
      {
        id: userMessageId,
        conversationId,
        seq: 1,
        role: 'user',
        content: 'before the crash',
        status: 'completed',
      },
      {
        id: answerId,
        conversationId,
        seq: 2,
        role: 'assistant',
        content: answer.content,
        model: 'fake/echo',
        status: answer.status,
      },
    ])
    .execute()
  return { conversationId, answerId }
}

describe('recovery after a crash (api.recover)', () => {
  let h: Harness
  let userId: string
  let caller: Caller
  beforeAll(async () => {
    h = await startHarness()
    ;({ id: userId, caller } = await h.user())
    await caller.user.me() // the user row, as the crashed process had created it
  })
  afterAll(async () => {
    await h.close()
  })

  it('ends pending/streaming answers as error/interrupted with their text; the conversation takes new messages', async () => {
    const streaming = await crashLeftover(h, userId, {
      status: 'streaming',
      content: 'half an ans',
    })
    const pending = await crashLeftover(h, userId, { status: 'pending', content: '' })

    // Before recovery the leftovers still block their conversations.
    await expectError(
      caller.chat.send({
        clientMessageId: randomUUID(),
        conversationId: streaming.conversationId,
        content: 'hello?',
      }),
      'CONFLICT',
    )

    expect(await h.api.recover()).toBe(2)
    for (const [left, text] of [
      [streaming, 'half an ans'],
      [pending, ''],
    ] as const) {
      const row = await messageRow(h.db, left.answerId)
      expect(row).toMatchObject({ status: 'error', errorCode: 'interrupted', content: text })
      expect(row.errorMessage).toMatch(/server stopped.*text so far is kept.*regenerate/)
      expect(row.completedAt).not.toBeNull()
      expect((await conversationRow(h.db, left.conversationId)).activeMessageId).toBeNull()
      const final = finalOf(await streamToEnd(caller, left.answerId))
      expect(final).toMatchObject({ status: 'error', content: text })
      expect(final.error?.code).toBe('interrupted')
    }
    expect(await h.api.recover()).toBe(0)

    const model = 'fake/echo:run=after-recovery'
    const next = await sendAndFinish(caller, {
      conversationId: streaming.conversationId,
      content: 'are you back',
      model,
    })
    expect(next.answer).toMatchObject({ status: 'completed', seq: 4, content: 'are you back' })
    // The interrupted answer is not part of the model's context.
    expect(sentMessages(requestsFor(h, model)[0])).toEqual([
      { role: 'user', content: 'before the crash' },
      { role: 'user', content: 'are you back' },
    ])
    const regen = await caller.chat.regenerate({
      conversationId: pending.conversationId,
      clientMessageId: randomUUID(),
    })
    expect(regen.assistantMessage.seq).toBe(3)
  })

  it('chat.stop on an answer no process carries any more ends it cancelled with its text', async () => {
    const left = await crashLeftover(h, userId, { status: 'streaming', content: 'orphaned text' })
    const stopped = await caller.chat.stop({ messageId: left.answerId })
    expect(stopped).toMatchObject({ status: 'cancelled', content: 'orphaned text', error: null })
    expect((await conversationRow(h.db, left.conversationId)).activeMessageId).toBeNull()
    const next = await sendAndFinish(caller, {
      conversationId: left.conversationId,
      content: 'next',
    })
    expect(next.answer.status).toBe('completed')
  })
})

describe('shutdown (api.close) during live answers', () => {
  it('saves each as error/interrupted with the text received so far, and aborts the upstream', async () => {
    const h = await startHarness()
    try {
      const users = await Promise.all([h.user(), h.user()])
      const live = await Promise.all(
        users.map(async ({ caller }, i) => {
          const model = `fake/slow:tokens=100,run=shutdown-${i}`
          const sent = await caller.chat.send({
            clientMessageId: randomUUID(),
            content: 'go',
            model,
          })
          const watching = streamToEnd(caller, sent.assistantMessage.id)
          await readUntil(caller, sent.assistantMessage.id, textAtLeast(10))
          return { model, sent, watching }
        }),
      )
      await h.api.close()

      for (const { model, sent, watching } of live) {
        const row = await messageRow(h.db, sent.assistantMessage.id)
        expect(row).toMatchObject({ status: 'error', errorCode: 'interrupted' })
        expect(row.content.length).toBeGreaterThanOrEqual(10)
        expect(row.content.length).toBeLessThan(loremText(100).length)
        expect(loremText(100).startsWith(row.content)).toBe(true)
        const final: Message = finalOf(await watching)
        expect(final).toMatchObject({ status: 'error', content: row.content })
        expect(final.error?.code).toBe('interrupted')
        const request = requestsFor(h, model)[0]
        await request?.finished
        expect(request?.aborted).toBe(true)
        expect((await conversationRow(h.db, sent.conversation.id)).activeMessageId).toBeNull()
      }
    } finally {
      await h.close()
    }
  })
})
