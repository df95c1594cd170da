import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  findConversation,
  forkPath,
  listMessages,
  moveActivePath,
  selectBranch,
} from '../src/index'
import type { Message } from '../src/index'
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

const draft = (role: 'user' | 'assistant', content: string): MessageDraft => ({
  role,
  content,
  status: 'completed',
})

/** A message off the active path under `parentId` (what an edit or a regenerate writes). */
async function sibling(
  conversationId: string,
  parentId: string | null,
  role: 'user' | 'assistant',
  content: string,
): Promise<string> {
  const id = randomUUID()
  await sql`
    with c as (
      update conversations set last_seq = last_seq + 1 where id = ${conversationId}
      returning last_seq
    )
    insert into messages (id, conversation_id, parent_id, seq, role, content, status, hidden)
    select ${id}, ${conversationId}, ${parentId}, last_seq, ${role}, ${content}, 'completed', true
    from c`.execute(testDb.db)
  return id
}

/** u1 a1 u2 a2 on the path, then a2' (a sibling of a2) and u2' (a sibling of u2) with an answer. */
async function tree() {
  const { db } = testDb
  const user = await seedUser(db)
  const conversation = await seedConversation(db, user.id)
  const key = { userId: user.id, conversationId: conversation.id }
  const rows = await db.transaction().execute((trx) =>
    appendMessages(trx, {
      ...key,
      messages: [draft('user', 'u1'), draft('assistant', 'a1'), draft('user', 'u2')],
      preview: 'u2',
    }),
  )
  const [u1, a1, u2] = rows ?? []
  if (!u1 || !a1 || !u2) throw new Error('seed failed')
  const a2 = (
    await db
      .transaction()
      .execute((trx) => appendMessages(trx, { ...key, messages: [draft('assistant', 'a2')] }))
  )?.[0]
  if (!a2) throw new Error('seed failed')
  const a2b = await sibling(conversation.id, u2.id, 'assistant', "a2'")
  const u2b = await sibling(conversation.id, a1.id, 'user', "u2'")
  const a2c = await sibling(conversation.id, u2b, 'assistant', "a2''")
  return { user, key, u1, a1, u2, a2, a2b, u2b, a2c }
}

async function path(key: { userId: string; conversationId: string }) {
  const page = await listMessages(testDb.db, { ...key, limit: 50, before: null })
  return (page?.items ?? []).map((m: Message & { branchIndex: number; branchCount: number }) => [
    m.content,
    `${m.branchIndex}/${m.branchCount}`,
  ])
}

const select = (userId: string, conversationId: string, messageId: string) =>
  testDb.db
    .transaction()
    .execute((trx) => selectBranch(trx, { userId, conversationId, messageId, previewLength: 160 }))

describe('branches', () => {
  it('list shows the active path with each message’s place among its siblings', async () => {
    const { key } = await tree()
    expect(await path(key)).toEqual([
      ['u1', '1/1'],
      ['a1', '1/1'],
      ['u2', '1/2'],
      ['a2', '1/2'],
    ])
  })

  it('selectBranch moves the path down to the newest leaf, with count and preview', async () => {
    const { user, key, u2b, a2c, a2b, u2 } = await tree()
    const moved = await select(user.id, key.conversationId, u2b)
    expect(moved).toMatchObject({ leafMessageId: a2c, messageCount: 4, preview: "u2'" })
    expect(await path(key)).toEqual([
      ['u1', '1/1'],
      ['a1', '1/1'],
      ["u2'", '2/2'],
      ["a2''", '1/1'],
    ])

    // Back to the first user message's branch, on its newest answer (a2').
    expect(await select(user.id, key.conversationId, u2.id)).toMatchObject({
      leafMessageId: a2b,
      messageCount: 4,
      preview: 'u2',
    })
    expect(await path(key)).toEqual([
      ['u1', '1/1'],
      ['a1', '1/1'],
      ['u2', '1/2'],
      ["a2'", '2/2'],
    ])
    // Selecting what is already active changes nothing.
    const same = await select(user.id, key.conversationId, a2b)
    expect(same).toMatchObject({ leafMessageId: a2b, messageCount: 4 })
  })

  it('selectBranch of a root sibling replaces the whole path', async () => {
    const { user, key, u1 } = await tree()
    const root = await sibling(key.conversationId, null, 'user', 'r2')
    const moved = await select(user.id, key.conversationId, root)
    expect(moved).toMatchObject({ leafMessageId: root, messageCount: 1, preview: 'r2' })
    expect(await path(key)).toEqual([['r2', '2/2']])
    expect(await select(user.id, key.conversationId, u1.id)).toMatchObject({ messageCount: 4 })
    expect((await path(key))[0]).toEqual(['u1', '1/2'])
  })

  it('selectBranch refuses while an answer is live, and ids of another conversation', async () => {
    const { user, key, u2b } = await tree()
    const other = await seedConversation(testDb.db, user.id)
    expect(await select(user.id, other.id, u2b)).toBeUndefined()
    await testDb.db
      .updateTable('conversations')
      .set({ activeMessageId: u2b })
      .where('id', '=', key.conversationId)
      .execute()
    const before = await path(key)
    expect(await select(user.id, key.conversationId, u2b)).toBe('busy')
    expect(await path(key)).toEqual(before)
  })

  it('forkPath copies the path up to a message into a new conversation', async () => {
    const { user, key, a2c } = await tree()
    const fork = await forkPath(testDb.db, { userId: user.id, messageId: a2c, previewLength: 160 })
    if (fork === undefined || fork === 'busy') throw new Error('no fork')
    expect(fork).toMatchObject({ messageCount: 4, lastSeq: 4, preview: "u2'", userId: user.id })
    expect(fork.id).not.toBe(key.conversationId)
    const copied = await path({ userId: user.id, conversationId: fork.id })
    expect(copied).toEqual([
      ['u1', '1/1'],
      ['a1', '1/1'],
      ["u2'", '1/1'],
      ["a2''", '1/1'],
    ])
    const rows = await testDb.db
      .selectFrom('messages')
      .select(['id', 'parentId', 'seq'])
      .where('conversationId', '=', fork.id)
      .orderBy('seq')
      .execute()
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4])
    expect(rows.map((r) => r.parentId)).toEqual([null, ...rows.slice(0, 3).map((r) => r.id)])
    expect(fork.leafMessageId).toBe(rows[3]?.id)
    // The source is untouched.
    expect(
      await findConversation(testDb.db, { userId: user.id, id: key.conversationId }),
    ).toMatchObject({ messageCount: 4, lastSeq: 7 })
  })

  it('forkPath refuses while the source has a live answer', async () => {
    const { user, key, a1 } = await tree()
    await testDb.db
      .updateTable('conversations')
      .set({ activeMessageId: a1.id })
      .where('id', '=', key.conversationId)
      .execute()
    expect(
      await forkPath(testDb.db, { userId: user.id, messageId: a1.id, previewLength: 160 }),
    ).toBe('busy')
    const count = await testDb.db
      .selectFrom('conversations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('userId', '=', user.id)
      .executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(1)
  })

  it('moveActivePath keeps a deleted conversation deletable (leaf and parents cascade)', async () => {
    const { user, key, u2b } = await tree()
    await testDb.db
      .transaction()
      .execute((trx) =>
        moveActivePath(trx, { conversationId: key.conversationId, leafId: u2b, previewLength: 10 }),
      )
    await testDb.db.deleteFrom('conversations').where('id', '=', key.conversationId).execute()
    expect(
      await findConversation(testDb.db, { userId: user.id, id: key.conversationId }),
    ).toBeUndefined()
  })
})
