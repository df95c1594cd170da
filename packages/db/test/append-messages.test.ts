import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { findConversation, listMessages } from '../src/index'
import { createTestDb, truncateAll, type TestDb } from '../src/testing'
import {
  appendMessages,
  databaseUrl,
  seedConversation,
  seedUser,
  type MessageDraft,
} from './helpers'

let testDb: TestDb
beforeAll(async () => {
  testDb = await createTestDb({ databaseUrl })
})
afterAll(() => testDb.destroy())
beforeEach(() => truncateAll(testDb.db))

const userDraft = (content: string): MessageDraft => ({
  role: 'user',
  content,
  status: 'completed',
})

describe('appendMessages', () => {
  it('hands out seq 1..50 to 50 concurrent transactions, gap-free and without error', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const conversation = await seedConversation(db, user.id)

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        db.transaction().execute((trx) =>
          appendMessages(trx, {
            userId: user.id,
            conversationId: conversation.id,
            messages: [userDraft(`message ${i}`)],
          }),
        ),
      ),
    )

    const seqs = results.flatMap((r) => r?.map((m) => m.seq) ?? []).sort((a, b) => a - b)
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    const after = await findConversation(db, { userId: user.id, id: conversation.id })
    expect(after).toMatchObject({ messageCount: 50, lastSeq: 50 })
    const stored = await db
      .selectFrom('messages')
      .select('seq')
      .where('conversationId', '=', conversation.id)
      .orderBy('seq')
      .execute()
    expect(stored.map((m) => m.seq)).toEqual(seqs)
  })

  it('appends several messages in seq order and updates the conversation row', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const conversation = await seedConversation(db, user.id)
    const messages = await db.transaction().execute((trx) =>
      appendMessages(trx, {
        userId: user.id,
        conversationId: conversation.id,
        messages: [
          userDraft('hello'),
          { role: 'assistant', content: '', status: 'pending', model: 'm/x' },
        ],
        preview: 'hello',
      }),
    )
    expect(messages?.map((m) => [m.seq, m.role, m.status, m.model])).toEqual([
      [1, 'user', 'completed', null],
      [2, 'assistant', 'pending', 'm/x'],
    ])
    const after = await findConversation(db, { userId: user.id, id: conversation.id })
    expect(after).toMatchObject({ messageCount: 2, lastSeq: 2, preview: 'hello' })
    expect(after?.lastMessageAt).toBeInstanceOf(Date)
    expect(after?.activityAt.getTime()).toBeGreaterThanOrEqual(conversation.activityAt.getTime())

    // No preview given: the old one stays.
    await db.transaction().execute((trx) =>
      appendMessages(trx, {
        userId: user.id,
        conversationId: conversation.id,
        messages: [userDraft('x')],
      }),
    )
    expect(await findConversation(db, { userId: user.id, id: conversation.id })).toMatchObject({
      preview: 'hello',
      lastSeq: 3,
    })
  })

  it('pages newest first, items ascending, with nextBefore until the start', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const conversation = await seedConversation(db, user.id)
    const key = { userId: user.id, conversationId: conversation.id }
    await db.transaction().execute((trx) =>
      appendMessages(trx, {
        ...key,
        messages: Array.from({ length: 7 }, (_, i) => userDraft(`m${i + 1}`)),
      }),
    )
    const pages: number[][] = []
    let before: number | null = null
    do {
      const page = await listMessages(db, { ...key, limit: 3, before })
      if (!page) throw new Error('conversation not found')
      pages.push(page.items.map((m) => m.seq))
      before = page.nextBefore
    } while (before !== null)
    expect(pages).toEqual([[5, 6, 7], [2, 3, 4], [1]])
  })
})
