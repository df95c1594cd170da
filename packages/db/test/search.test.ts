import { randomUUID } from 'node:crypto'
import { Migrator, sql, type RawBuilder } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  checkpointAnswer,
  createDb,
  migrateDown,
  migrateToLatest,
  searchMessages,
  SEARCH_PROBE,
  type SearchTerms,
} from '../src/index'
import { migrations } from '../src/migrations/index'
import { createTestDb, truncateAll, type TestDb } from '../src/testing'
import { databaseUrl, seedConversation, seedUser } from './helpers'

const words = (...w: string[]): SearchTerms => ({
  words: w,
  prefix: null,
  phrases: [],
  excluded: [],
})

describe('the search migration on a database that already has messages', () => {
  it('indexes every existing message under its owner', async () => {
    // Start from the schema before search, on an empty database of this backend.
    const testDb = await createTestDb({ databaseUrl })
    const { db } = testDb
    try {
      await migrateDown(db)
      const before = Object.fromEntries(
        Object.entries(migrations).filter(([name]) => name < '2026_12_01_0010'),
      )
      const migrator = new Migrator({
        db: db.withoutPlugins(),
        provider: { getMigrations: () => Promise.resolve(before) },
      })
      expect((await migrator.migrateToLatest()).error).toBeUndefined()
      const userId = randomUUID()
      await sql`insert into users (id) values (${userId})`.execute(db)
      const conversationId = randomUUID()
      await sql`insert into conversations (id, user_id, current_model, title)
                values (${conversationId}, ${userId}, 'm', 'Old notes')`.execute(db)
      await sql`insert into messages (conversation_id, seq, role, content, status)
                values (${conversationId}, 1, 'user', 'Ça va, l''Übersee?', 'completed')`.execute(
        db,
      )

      await migrateToLatest(db)
      const page = await searchMessages(db, {
        userId,
        terms: words('ca', 'ubersee'),
        conversationId: null,
        limit: 10,
        cursor: null,
      })
      expect(page.rows.map((r) => [r.field, r.text])).toStrictEqual([
        ['content', "Ça va, l'Übersee?"],
      ])
      const title = await searchMessages(db, {
        userId,
        terms: words('notes'),
        conversationId: null,
        limit: 10,
        cursor: null,
      })
      expect(title.rows.map((r) => r.field)).toStrictEqual(['title'])
    } finally {
      await testDb.destroy()
    }
  }, 90_000) // migrates down and up twice: slow on PGlite on a busy machine
})

describe('the message index follows every write', () => {
  let testDb: TestDb
  beforeAll(async () => {
    testDb = await createTestDb({ databaseUrl })
  })
  afterAll(() => testDb.destroy())
  beforeEach(() => truncateAll(testDb.db))

  it('a checkpoint changes what the message is found by, in the same statement', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const conversation = await seedConversation(db, user.id)
    const id = randomUUID()
    await sql`insert into messages (id, conversation_id, seq, role, content, status)
              values (${id}, ${conversation.id}, 1, 'assistant', '', 'pending')`.execute(db)
    const find = (word: string) =>
      searchMessages(db, {
        userId: user.id,
        terms: words(word),
        conversationId: null,
        limit: 10,
        cursor: null,
      }).then((page) => page.rows.map((r) => r.messageId))
    expect(await find('kettle')).toStrictEqual([])
    await checkpointAnswer(db, { id, content: 'the kettle' })
    expect(await find('kettle')).toStrictEqual([id])
    await checkpointAnswer(db, { id, content: 'the teapot' })
    expect(await find('kettle')).toStrictEqual([])
    expect(await find('teapot')).toStrictEqual([id])
    const [row] = await db.selectFrom('messageSearch').selectAll().execute()
    expect(row?.userId).toBe(user.id)
  })

  it('a rare word in an old message past the newest SEARCH_PROBE is found through the word index', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const conversation = await seedConversation(db, user.id)
    await sql`insert into messages (conversation_id, seq, role, content, status, created_at)
              values (${conversation.id}, 1, 'user', 'an ancient zebra', 'completed',
                      now() - interval '1 day')`.execute(db)
    await sql`insert into messages (conversation_id, seq, role, content, status, created_at)
              select ${conversation.id}, 1 + i, 'user', 'filler text ' || i, 'completed',
                     now() - interval '1 hour' + i * interval '1 millisecond'
              from generate_series(1, ${SEARCH_PROBE}) as i`.execute(db)
    const find = (terms: SearchTerms) =>
      searchMessages(db, { userId: user.id, terms, conversationId: null, limit: 5, cursor: null })
    const zebra = await find(words('zebra'))
    expect(zebra.rows.map((r) => r.text)).toStrictEqual(['an ancient zebra'])
    expect(await find(words('filler', 'zebra'))).toStrictEqual({ rows: [], nextCursor: null })
    // A common word: the newest matches, equal ranks, newest first.
    const filler = await find(words('filler'))
    expect(filler.rows.map((r) => r.text)).toStrictEqual(
      [0, 1, 2, 3, 4].map((k) => `filler text ${SEARCH_PROBE - k}`),
    )
    expect(filler.nextCursor).not.toBeNull()
  }, 90_000)

  it('a word common among the newest messages but not beyond: the newest SEARCH_PROBE walked, older matches from the word index, none twice', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const conversation = await seedConversation(db, user.id)
    const insert = (count: number, content: RawBuilder<string>, at: RawBuilder<Date>, from = 0) =>
      sql`insert into messages (conversation_id, seq, role, content, status, created_at)
          select ${conversation.id}, ${from} + i, 'user', ${content}, 'completed', ${at}
          from generate_series(1, ${count}) as i`.execute(db)
    // Oldest first: two old matches, then SEARCH_PROBE messages without the word, then the
    // newest 1,000 with the word in every third (common in a sample of the newest).
    await insert(2, sql`'hot old ' || i`, sql`now() - interval '1 day' + i * interval '1 ms'`)
    await insert(
      SEARCH_PROBE,
      sql`'filler ' || i`,
      sql`now() - interval '1 hour' + i * interval '1 ms'`,
      2,
    )
    await insert(
      1000,
      sql`case when i % 3 = 0 then 'hot new ' || i else 'cool new ' || i end`,
      sql`now() - interval '1 minute' + i * interval '1 ms'`,
      2 + SEARCH_PROBE,
    )
    const texts: string[] = []
    let cursor: string | null = null
    do {
      const page: Awaited<ReturnType<typeof searchMessages>> = await searchMessages(db, {
        userId: user.id,
        terms: words('hot'),
        conversationId: null,
        limit: 200,
        cursor,
      })
      texts.push(...page.rows.map((r) => r.text))
      cursor = page.nextCursor
    } while (cursor !== null)
    expect(texts).toHaveLength(333 + 2)
    expect(new Set(texts).size).toBe(texts.length)
    // Equal ranks: newest first, so the old ones come last.
    expect(texts.slice(-2)).toStrictEqual(['hot old 2', 'hot old 1'])
    expect(texts[0]).toBe('hot new 999')
  }, 90_000)

  it('reopening an embedded database keeps the extension working', async () => {
    if (databaseUrl) return
    const db = await createDb()
    try {
      await migrateToLatest(db)
      const { rows } = await sql<{ folded: string }>`select search_fold('Crème') as folded`.execute(
        db,
      )
      expect(rows[0]?.folded).toBe('Creme')
    } finally {
      await db.destroy()
    }
  })
})
