import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, findUser, type Database } from '../src/index'
import { MAX_PER_CONNECTION } from '../src/prepared'
import { createTestDb, type TestDb } from '../src/testing'
import { databaseUrl, seedUser } from './helpers'
import type { Kysely } from 'kysely'

let testDb: TestDb
/** One connection, so what it prepared can be read back on it. */
let db: Kysely<Database>

/** The statements the pool's one connection has prepared (Postgres's own view of it). */
async function prepared(): Promise<string[]> {
  const { rows } = await sql<{
    statement: string
  }>`select statement from pg_prepared_statements where name like 't3\\_%'`.execute(db)
  return rows.map((r) => r.statement)
}

describe.runIf(databaseUrl)('named statements on Postgres', () => {
  beforeAll(async () => {
    testDb = await createTestDb({ databaseUrl })
    db = await createDb({ connectionString: testDb.connectionString ?? '', poolSize: 1 })
  })
  afterAll(async () => {
    await db.destroy()
    await testDb.destroy()
  })

  it('a repository statement is prepared once on its connection and gives the same rows', async () => {
    const user = await seedUser(testDb.db, 'a@example.com')
    const before = (await prepared()).length
    expect(await findUser(db, user.id)).toMatchObject({ id: user.id, email: 'a@example.com' })
    const after = await prepared()
    expect(after.length).toBe(before + 1)
    expect(after.some((s) => s.includes('from "users"'))).toBe(true)
    // Again: no new statement, same answer (and another user's id finds nothing).
    expect(await findUser(db, user.id)).toMatchObject({ id: user.id })
    expect(await findUser(db, '00000000-0000-4000-8000-000000000000')).toBeUndefined()
    expect((await prepared()).length).toBe(after.length)
  })

  it('statements whose text varies stop being named at the cap; they still run', async () => {
    for (let n = 1; n <= MAX_PER_CONNECTION + 20; n++) {
      const rows = sql.join(Array.from({ length: n }, (_, i) => sql`(${i})`))
      const result = await sql<{
        n: number
      }>`select count(*)::int as n from (values ${rows}) v`.execute(db)
      expect(result.rows[0]?.n).toBe(n)
    }
    expect((await prepared()).length).toBeLessThanOrEqual(MAX_PER_CONNECTION)
  })

  it('plans every call for its parameters (no generic plan: one plan for every search word)', async () => {
    const { rows } = await sql<{
      mode: string
    }>`select current_setting('plan_cache_mode') as mode`.execute(db)
    expect(rows[0]?.mode).toBe('force_custom_plan')
  })

  it('schema statements are never named', async () => {
    await sql`create temporary table scratch (x int)`.execute(db)
    expect((await prepared()).some((s) => s.includes('scratch'))).toBe(false)
  })
})
