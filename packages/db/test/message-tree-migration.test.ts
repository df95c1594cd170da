import { sql, Migrator } from 'kysely'
import { describe, expect, it } from 'vitest'
import { listMessages, migrateToLatest } from '../src/index'
import { migrations } from '../src/migrations/index'
import { createTestDb } from '../src/testing'
import { databaseUrl, seedConversation, seedUser } from './helpers'

const backends = [
  { name: 'PGlite', url: undefined },
  ...(databaseUrl ? [{ name: 'Postgres', url: databaseUrl }] : []),
]

describe.each(backends)('the message-tree migration on $name', ({ url }) => {
  it('turns linear conversations with regenerated answers into trees, losing nothing', async () => {
    const testDb = await createTestDb({ databaseUrl: url })
    const { db } = testDb
    try {
      const migrator = new Migrator({
        db: db.withoutPlugins(),
        provider: { getMigrations: () => Promise.resolve(migrations) },
      })
      const back = await migrator.migrateTo('2026_11_29_0002_active_answer')
      expect(back.error).toBeUndefined()

      const user = await seedUser(db)
      const regenerated = await seedConversation(db, user.id)
      const live = await seedConversation(db, user.id)
      const empty = await seedConversation(db, user.id)
      // As the linear schema stored them: u1 a1 u2, two answers hidden by regenerates, the
      // answer that replaced them, then u3 with a failed answer; and a conversation whose
      // answer is still pending.
      const rows: Array<[string, number, string, string, boolean]> = [
        [regenerated.id, 1, 'user', 'u1', false],
        [regenerated.id, 2, 'assistant', 'a1', false],
        [regenerated.id, 3, 'user', 'u2', false],
        [regenerated.id, 4, 'assistant', 'a2 first', true],
        [regenerated.id, 5, 'assistant', 'a2 second', true],
        [regenerated.id, 6, 'assistant', 'a2 third', false],
        [regenerated.id, 7, 'user', 'u3', false],
        [regenerated.id, 8, 'assistant', 'a3 failed', false],
        [live.id, 1, 'user', 'q', false],
        [live.id, 2, 'assistant', '', false],
      ]
      for (const [conversationId, seq, role, content, hidden] of rows) {
        const status =
          content === '' ? 'pending' : content.endsWith('failed') ? 'error' : 'completed'
        await sql`
          insert into messages (conversation_id, seq, role, content, status, hidden, error_code)
          values (${conversationId}, ${seq}, ${role}, ${content}, ${status}, ${hidden},
                  ${status === 'error' ? 'upstream_error' : null})`.execute(db)
      }
      await sql`update conversations set last_seq = 8, message_count = 6 where id = ${regenerated.id}`.execute(
        db,
      )
      await sql`update conversations set last_seq = 2, message_count = 2 where id = ${live.id}`.execute(
        db,
      )
      const countBefore = await sql<{ n: number }>`select count(*)::int as n from messages`.execute(
        db,
      )

      // The tree migration and whatever comes after it.
      const steps = await migrateToLatest(db)
      expect(steps.find((s) => s.migrationName === '2026_12_01_0040_message_tree')).toMatchObject({
        status: 'Success',
      })
      expect(steps.every((s) => s.status === 'Success')).toBe(true)

      const stored = await db
        .selectFrom('messages')
        .select(['id', 'conversationId', 'parentId', 'content', 'hidden'])
        .orderBy('conversationId')
        .orderBy('seq')
        .execute()
      expect(stored).toHaveLength(countBefore.rows[0]?.n ?? -1)
      const byContent = new Map(stored.map((m) => [m.content, m]))
      const idOf = (content: string) => byContent.get(content)?.id
      const parentOf = (content: string) => byContent.get(content)?.parentId
      expect(parentOf('u1')).toBeNull()
      expect(parentOf('a1')).toBe(idOf('u1'))
      expect(parentOf('u2')).toBe(idOf('a1'))
      // Regenerated-away answers are siblings of the answer that replaced them.
      expect(parentOf('a2 first')).toBe(idOf('u2'))
      expect(parentOf('a2 second')).toBe(idOf('u2'))
      expect(parentOf('a2 third')).toBe(idOf('u2'))
      expect(parentOf('u3')).toBe(idOf('a2 third'))
      expect(parentOf('a3 failed')).toBe(idOf('u3'))
      expect(parentOf('q')).toBeNull()
      expect(parentOf('')).toBe(idOf('q'))

      const conversations = await db
        .selectFrom('conversations')
        .select(['id', 'leafMessageId', 'messageCount'])
        .execute()
      const leafOf = (id: string) => conversations.find((c) => c.id === id)?.leafMessageId
      expect(leafOf(regenerated.id)).toBe(idOf('a3 failed'))
      expect(leafOf(live.id)).toBe(idOf(''))
      expect(leafOf(empty.id)).toBeNull()

      const page = await listMessages(db, {
        userId: user.id,
        conversationId: regenerated.id,
        limit: 50,
        before: null,
      })
      expect(page?.items.map((m) => [m.content, `${m.branchIndex}/${m.branchCount}`])).toEqual([
        ['u1', '1/1'],
        ['a1', '1/1'],
        ['u2', '1/1'],
        ['a2 third', '3/3'],
        ['u3', '1/1'],
        ['a3 failed', '1/1'],
      ])
    } finally {
      await testDb.destroy()
    }
  }, 60_000)
})
