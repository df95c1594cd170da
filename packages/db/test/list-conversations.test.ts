import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { InvalidCursorError, listConversations } from '../src/index'
import { createTestDb, truncateAll, type TestDb } from '../src/testing'
import { databaseUrl, seedConversation, seedUser } from './helpers'

let testDb: TestDb
beforeAll(async () => {
  testDb = await createTestDb({ databaseUrl })
})
afterAll(() => testDb.destroy())
beforeEach(() => truncateAll(testDb.db))

/** The exact (microsecond) activity time of every conversation, as sortable text. */
async function exactActivity(userId: string): Promise<Map<string, string>> {
  const { rows } = await sql<{ id: string; at: string }>`
    select id, to_char(activity_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as at
    from conversations where user_id = ${userId}`.execute(testDb.db)
  return new Map(rows.map((r) => [r.id, r.at]))
}

describe('listConversations', () => {
  it('returns 1,000 tied conversations exactly once, in order, while others are inserted', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    // 1,000 rows on 8 activity times that differ by single microseconds, so a cursor rounded
    // to JS milliseconds would repeat or skip rows; ~125 rows share each exact time.
    await sql`
      insert into conversations (user_id, current_model, activity_at)
      select ${user.id}, 'm', timestamptz '2026-01-01 00:00:00.000500Z' + (i % 8) * interval '1 microsecond'
      from generate_series(1, 1000) as i`.execute(db)
    const seeded = new Set((await exactActivity(user.id)).keys())

    let inserting = true
    const inserted: string[] = []
    const inserter = (async () => {
      // New rows land both ahead of and behind the pages already read, some on the tied times.
      for (let i = 0; inserting; i++) {
        const id = randomUUID()
        await sql`
          insert into conversations (id, user_id, current_model, activity_at)
          values (${id}, ${user.id}, 'm',
            timestamptz '2026-01-01 00:00:00.000500Z' + ${i % 12} * interval '1 microsecond')`.execute(
          db,
        )
        inserted.push(id)
      }
    })()

    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: Awaited<ReturnType<typeof listConversations>> = await listConversations(db, {
        userId: user.id,
        limit: 37,
        cursor,
      })
      seen.push(...page.items.map((c) => c.id))
      cursor = page.nextCursor
      pages++
    } while (cursor !== null)
    inserting = false
    await inserter

    expect(inserted.length).toBeGreaterThan(0)
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(1000 / 37))
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.filter((id) => seeded.has(id)).length).toBe(1000)

    // Strictly descending by (exact activity time, id).
    const activity = await exactActivity(user.id)
    const keys = seen.map((id) => `${activity.get(id) ?? ''} ${id}`)
    expect(keys).toEqual([...keys].sort().reverse())
  })

  it('orders by latest activity, and the last page has no cursor', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const a = await seedConversation(db, user.id, { title: 'a' })
    const b = await seedConversation(db, user.id, { title: 'b' })
    await sql`update conversations set activity_at = now() + interval '1 hour' where id = ${a.id}`.execute(
      db,
    )

    const first = await listConversations(db, { userId: user.id, limit: 1, cursor: null })
    expect(first.items.map((c) => c.title)).toEqual(['a'])
    expect(first.items[0]).not.toHaveProperty('cursorActivityAt')
    const second = await listConversations(db, {
      userId: user.id,
      limit: 1,
      cursor: first.nextCursor,
    })
    expect(second.items.map((c) => c.id)).toEqual([b.id])
    expect(second.nextCursor).toBeNull()
    const exact = await listConversations(db, { userId: user.id, limit: 2, cursor: null })
    expect(exact.items).toHaveLength(2)
    expect(exact.nextCursor).toBeNull()
  })

  it.each([
    ['not base64', '%%%'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['wrong shape', Buffer.from('{"a":1}').toString('base64url')],
    ['bad id', Buffer.from('["2026-01-01T00:00:00.000000","x"]').toString('base64url')],
    [
      'impossible date',
      Buffer.from(`["2026-02-30T00:00:00.000000","${randomUUID()}"]`).toString('base64url'),
    ],
    [
      'date without micros',
      Buffer.from(`["2026-01-01T00:00:00.000","${randomUUID()}"]`).toString('base64url'),
    ],
  ])('rejects a malformed cursor (%s) with InvalidCursorError', async (_name, cursor) => {
    const user = await seedUser(testDb.db)
    await expect(
      listConversations(testDb.db, { userId: user.id, limit: 10, cursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError)
  })
})
