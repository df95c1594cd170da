import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createDb, MigrationError, migrateDown, migrateToLatest } from '../src/index'
import { migrations } from '../src/migrations/index'
import { createTestDb } from '../src/testing'
import { databaseUrl } from './helpers'

async function userTables<DB>(db: Kysely<DB>): Promise<string[]> {
  const tables = await db.introspection.getTables()
  return tables.map((t) => t.name).sort()
}

async function objectCounts<DB>(db: Kysely<DB>) {
  const { rows } = await sql<{ functions: number; indexes: number; rls: number }>`
    select
      (select count(*) from pg_proc where proname = 'set_updated_at')::int as functions,
      (select count(*) from pg_indexes where schemaname = 'public'
         and indexname in ('conversations_user_activity_idx', 'messages_live_idx'))::int as indexes,
      (select count(*) from pg_class
         where relname in ('users', 'conversations', 'messages', 'message_search', 'shares',
                           'conversation_imports', 'usage_daily', 'usage_reconciliations')
         and relrowsecurity)::int as rls`.execute(db)
  return rows[0]
}

const backends = [
  { name: 'PGlite', url: undefined },
  ...(databaseUrl ? [{ name: 'Postgres', url: databaseUrl }] : []),
]

// Every migration, in the order they apply (the names sort that way).
const names = Object.keys(migrations).sort()

describe.each(backends)('migrations on $name', ({ url }) => {
  it('go up from empty, down to empty, and up again', async () => {
    const testDb = await createTestDb({ databaseUrl: url })
    const { db } = testDb
    try {
      // createTestDb already migrated up from an empty database.
      expect(await userTables(db)).toEqual([
        'conversation_imports',
        'conversations',
        'message_search',
        'messages',
        'shares',
        'usage_daily',
        'usage_reconciliations',
        'users',
      ])
      expect(await objectCounts(db)).toEqual({ functions: 1, indexes: 2, rls: 8 })
      expect(await migrateToLatest(db)).toEqual([])

      const down = await migrateDown(db)
      expect(down.map((s) => [s.direction, s.status])).toEqual(names.map(() => ['Down', 'Success']))
      expect(await userTables(db)).toEqual([])
      expect(await objectCounts(db)).toEqual({ functions: 0, indexes: 0, rls: 0 })

      const up = await migrateToLatest(db)
      expect(up.map((s) => [s.migrationName, s.status])).toEqual(
        names.map((name) => [name, 'Success']),
      )
      expect(await userTables(db)).toEqual([
        'conversation_imports',
        'conversations',
        'message_search',
        'messages',
        'shares',
        'usage_daily',
        'usage_reconciliations',
        'users',
      ])
      expect(await objectCounts(db)).toEqual({ functions: 1, indexes: 2, rls: 8 })
    } finally {
      await testDb.destroy()
    }
  })
})

describe('a failing migration', () => {
  it('throws a MigrationError naming it and leaves nothing half-applied', async () => {
    const db = await createDb()
    try {
      // A stray table makes the initial migration fail part-way, after earlier statements ran.
      await sql`create table conversations (id int)`.execute(db)
      const failure = await migrateToLatest(db).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(MigrationError)
      expect((failure as MigrationError).migrationName).toBe('2026_11_29_0001_initial')
      expect((failure as MigrationError).message).toMatch(/2026_11_29_0001_initial.*conversations/)
      expect(await userTables(db)).toEqual(['conversations'])
      expect(await objectCounts(db)).toMatchObject({ functions: 0 })
    } finally {
      await db.destroy()
    }
  })
})

describe('the updated_at trigger', () => {
  it('moves updated_at on a real change only', async () => {
    const testDb = await createTestDb({ databaseUrl })
    const { db } = testDb
    try {
      const id = '00000000-0000-4000-8000-000000000001'
      await sql`insert into users (id, email, updated_at) values (${id}, 'a@x.test', '2020-01-01Z')`.execute(
        db,
      )
      await sql`update users set email = 'a@x.test' where id = ${id}`.execute(db)
      const same = await db
        .selectFrom('users')
        .select('updatedAt')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      expect(same.updatedAt.toISOString()).toBe('2020-01-01T00:00:00.000Z')

      await sql`update users set email = 'b@x.test' where id = ${id}`.execute(db)
      const changed = await db
        .selectFrom('users')
        .select('updatedAt')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      expect(changed.updatedAt.getTime()).toBeGreaterThan(Date.parse('2025-01-01'))
    } finally {
      await testDb.destroy()
    }
  })
})
