import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { Kysely, LogConfig } from 'kysely'
import pg from 'pg'
import { createDb } from './create-db'
import type { Database } from './database'
import { migrateToLatest } from './migrate'

/** A migrated database of its own for one test file. */
export interface TestDb {
  db: Kysely<Database>
  /** The fresh database's URL on a real server; null for in-memory PGlite. */
  connectionString: string | null
  /** Closes the connections and, on a real server, drops the database. */
  destroy(): Promise<void>
}

/**
 * With `databaseUrl`: creates a fresh uniquely named database on that server (`t3chat_test_*`),
 * migrates it, and drops it on `destroy`. Without: a migrated in-memory PGlite. `log` is
 * Kysely's query log (e.g. a callback that counts statements).
 *
 * @example
 * const testDb = await createTestDb({ databaseUrl }) // e.g. the test run's DATABASE_URL
 * afterAll(() => testDb.destroy())
 */
export async function createTestDb(
  opts: { databaseUrl?: string | undefined; log?: LogConfig | undefined } = {},
): Promise<TestDb> {
  const log = opts.log ? { log: opts.log } : {}
  if (!opts.databaseUrl) {
    const db = await createDb(log)
    await migrateToLatest(db)
    return { db, connectionString: null, destroy: () => db.destroy() }
  }

  const adminUrl = opts.databaseUrl
  const name = `t3chat_test_${randomBytes(6).toString('hex')}`
  await withAdminClient(adminUrl, (c) => c.query(`create database "${name}"`))
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const connectionString = url.toString()

  const db = await createDb({ connectionString, ...log })
  try {
    await migrateToLatest(db)
  } catch (error) {
    await db.destroy()
    await dropDatabase(adminUrl, name)
    throw error
  }
  return {
    db,
    connectionString,
    destroy: async () => {
      await db.destroy()
      await dropDatabase(adminUrl, name)
    },
  }
}

/** Empties every table (keeps the schema and the migration records). */
export async function truncateAll(db: Kysely<Database>): Promise<void> {
  await sql`truncate table usage_reconciliations, usage_daily, shares, conversation_imports, message_search, messages, conversations, users`.execute(
    db,
  )
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdminClient(adminUrl, (c) => c.query(`drop database if exists "${name}" with (force)`))
}

async function withAdminClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}
