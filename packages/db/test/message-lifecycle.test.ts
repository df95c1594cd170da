import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  appendMessageContent,
  appendMessages,
  failLiveMessages,
  findLiveMessage,
  updateMessage,
} from '../src/index'
import type { Message } from '../src/index'
import { createTestDb, truncateAll, type TestDb } from '../src/testing'
import { databaseUrl, seedConversation, seedUser } from './helpers'

let testDb: TestDb
beforeAll(async () => {
  testDb = await createTestDb({ databaseUrl })
})
afterAll(() => testDb.destroy())
beforeEach(() => truncateAll(testDb.db))

async function seedExchange(): Promise<{
  userId: string
  conversationId: string
  answer: Message
}> {
  const { db } = testDb
  const user = await seedUser(db)
  const conversation = await seedConversation(db, user.id)
  const messages = await db.transaction().execute((trx) =>
    appendMessages(trx, {
      userId: user.id,
      conversationId: conversation.id,
      messages: [
        { role: 'user', content: 'q', status: 'completed' },
        { role: 'assistant', content: '', status: 'pending', model: 'm/a' },
      ],
    }),
  )
  const answer = messages?.[1]
  if (!answer) throw new Error('seed failed')
  return { userId: user.id, conversationId: conversation.id, answer }
}

describe('message lifecycle', () => {
  it('streams content in flushes, then completes with usage', async () => {
    const { db } = testDb
    const { userId, conversationId, answer } = await seedExchange()
    expect(await findLiveMessage(db, { userId, conversationId })).toMatchObject({ id: answer.id })

    await appendMessageContent(db, { id: answer.id, text: 'Hel', status: 'streaming' })
    const partial = await appendMessageContent(db, { id: answer.id, text: 'lo' })
    expect(partial).toMatchObject({ content: 'Hello', status: 'streaming' })

    const done = await updateMessage(db, answer.id, {
      status: 'completed',
      promptTokens: 12,
      completionTokens: 3,
      cost: 0.00015,
      completedAt: new Date(),
    })
    expect(done).toMatchObject({
      content: 'Hello',
      status: 'completed',
      promptTokens: 12,
      cost: 0.00015,
    })
    expect(await findLiveMessage(db, { userId, conversationId })).toBeUndefined()
    expect(await updateMessage(db, answer.id, {})).toMatchObject({ status: 'completed' })
  })

  it('failLiveMessages ends interrupted answers as errors and keeps their text', async () => {
    const { db } = testDb
    const { answer } = await seedExchange()
    await appendMessageContent(db, { id: answer.id, text: 'partial', status: 'streaming' })
    const notYet = await failLiveMessages(db, {
      errorCode: 'interrupted',
      errorMessage: 'The server stopped mid-answer.',
      createdBefore: new Date(answer.createdAt.getTime() - 60_000),
    })
    expect(notYet).toEqual([])

    const failed = await failLiveMessages(db, {
      errorCode: 'interrupted',
      errorMessage: 'The server stopped mid-answer.',
    })
    expect(failed.map((m) => [m.id, m.status, m.errorCode, m.content])).toEqual([
      [answer.id, 'error', 'interrupted', 'partial'],
    ])
    expect(failed[0]?.completedAt).toBeInstanceOf(Date)
    expect(await failLiveMessages(db, { errorCode: 'interrupted', errorMessage: 'x' })).toEqual([])
  })
})
