import { CompiledQuery, sql } from 'kysely'
import type { Compilable } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listConversations } from '../src/index'
import { listConversationsQuery } from '../src/repositories/conversations'
import { decodeConversationCursor } from '../src/repositories/conversation-cursor'
import { listMessagesQuery } from '../src/repositories/messages'
import { createTestDb, type TestDb } from '../src/testing'
import { databaseUrl } from './helpers'

let testDb: TestDb
let userId: string
let heavyConversationId: string

/** EXPLAIN of the compiled query, with the same SQL and parameters the repository sends. */
async function explain(query: Compilable): Promise<string> {
  const compiled = query.compile()
  const result = await testDb.db
    .withoutPlugins()
    .executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]),
    )
  return result.rows.map((r) => r['QUERY PLAN']).join('\n')
}

describe.runIf(databaseUrl)('query plans on Postgres with realistic volumes', () => {
  beforeAll(async () => {
    testDb = await createTestDb({ databaseUrl })
    const { db } = testDb
    // 50 users × 100 conversations, 10 messages each (50k), plus one long conversation.
    await sql`insert into users (id) select gen_random_uuid() from generate_series(1, 50)`.execute(
      db,
    )
    await sql`
      insert into conversations (user_id, current_model, activity_at, message_count, last_seq)
      select u.id, 'm', now() - random() * interval '90 days', 10, 10
      from users u cross join generate_series(1, 100)`.execute(db)
    await sql`
      insert into messages (conversation_id, seq, role, status, content)
      select c.id, s, case when s % 2 = 1 then 'user' else 'assistant' end, 'completed', 'text ' || s
      from conversations c cross join generate_series(1, 10) as s`.execute(db)
    const heavy = await db
      .selectFrom('conversations')
      .select(['id', 'userId'])
      .limit(1)
      .executeTakeFirstOrThrow()
    heavyConversationId = heavy.id
    userId = heavy.userId
    await sql`
      insert into messages (conversation_id, seq, role, status)
      select ${heavyConversationId}, s, 'user', 'completed' from generate_series(11, 3000) as s`.execute(
      db,
    )
    await sql`analyze`.execute(db)
  }, 60_000)
  afterAll(() => testDb.destroy())

  it('the conversation list reads one index range, first page and cursor page alike', async () => {
    const { db } = testDb
    const first = await listConversations(db, { userId, limit: 20, cursor: null })
    expect(first.nextCursor).not.toBeNull()
    const cursor = decodeConversationCursor(first.nextCursor ?? '')

    for (const page of [null, cursor]) {
      const plan = await explain(listConversationsQuery(db, { userId, limit: 20, cursor: page }))
      expect(plan).toContain('Index Scan using conversations_user_activity_idx on conversations')
      expect(plan).not.toMatch(/Seq Scan/)
      expect(plan).not.toMatch(/Sort/) // the index order is the page order
      if (page) expect(plan).toMatch(/Index Cond: .*ROW\(activity_at, id\) < ROW/)
    }
  })

  it('a message page reads the (conversation_id, seq) index backwards', async () => {
    const { db } = testDb
    for (const before of [null, 1500]) {
      const plan = await explain(
        listMessagesQuery(db, { conversationId: heavyConversationId, limit: 50, before }),
      )
      expect(plan).toContain(
        'Index Scan Backward using messages_conversation_id_seq_key on messages',
      )
      expect(plan).not.toMatch(/Seq Scan on messages/)
      expect(plan).not.toMatch(/Sort/)
      if (before !== null) expect(plan).toMatch(/Index Cond: .*seq < 1500/)
      // Each message's branch position: an index-only count of its siblings, never a scan.
      expect(plan).toMatch(/Index Only Scan using messages_parent_idx on messages/)
    }
  })
})
