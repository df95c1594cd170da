import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrations } from '../src/migrations/index'
import { databaseUrl } from './helpers'

// Every migration, in the order they apply.
const names = Object.keys(migrations).sort()

const packageDir = fileURLToPath(new URL('..', import.meta.url))

function runMigrateCli(url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/migrate-process.ts'], {
      cwd: packageDir,
      env: { ...process.env, DATABASE_URL: url },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

async function withClient<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

// Kysely's PostgresAdapter takes this session advisory lock around every migration run.
const KYSELY_MIGRATION_LOCK_ID = '3853314791062309107'

async function waitForLockWaiters(client: pg.Client, count: number): Promise<void> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_locks
       where locktype = 'advisory' and not granted and database = (
         select oid from pg_database where datname = current_database())`,
    )
    if ((rows[0]?.n ?? 0) >= count) return
    if (Date.now() > deadline) throw new Error(`expected ${count} processes waiting on the lock`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe.runIf(databaseUrl)('two processes migrating one fresh Postgres database', () => {
  const adminUrl = databaseUrl ?? ''
  const name = `t3chat_test_${randomBytes(6).toString('hex')}`
  let freshUrl = ''

  beforeAll(async () => {
    const url = new URL(adminUrl)
    url.pathname = `/${name}`
    freshUrl = url.toString()
    await withClient(adminUrl, (c) => c.query(`create database "${name}"`))
  })
  afterAll(() =>
    withClient(adminUrl, (c) => c.query(`drop database if exists "${name}" with (force)`)),
  )

  it('both succeed and the schema is applied exactly once', async () => {
    // Hold the migration lock so both processes are provably inside migrateToLatest at once,
    // both blocked on it, before either may proceed.
    const blocker = new pg.Client({ connectionString: freshUrl })
    await blocker.connect()
    let runs: Promise<
      [{ code: number | null; output: string }, { code: number | null; output: string }]
    >
    try {
      await blocker.query(`select pg_advisory_lock(${KYSELY_MIGRATION_LOCK_ID})`)
      runs = Promise.all([runMigrateCli(freshUrl), runMigrateCli(freshUrl)])
      await waitForLockWaiters(blocker, 2)
      await blocker.query(`select pg_advisory_unlock(${KYSELY_MIGRATION_LOCK_ID})`)
    } finally {
      await blocker.end()
    }
    const [a, b] = await runs
    expect(a.code, a.output).toBe(0)
    expect(b.code, b.output).toBe(0)

    // Exactly one process applied the migration; the other waited for the lock and found none left.
    const outputs = [a.output, b.output].sort()
    expect(outputs[0]).toMatch(/^Already up to date\.$/m)
    for (const name of names) expect(outputs[1]).toMatch(new RegExp(`^Up ${name}: Success$`, 'm'))

    const migrations = await withClient(freshUrl, (c) =>
      c.query<{ name: string }>('select name from kysely_migration order by name'),
    )
    expect(migrations.rows).toEqual(names.map((name) => ({ name })))
    const tables = await withClient(freshUrl, (c) =>
      c.query<{ n: number }>(
        `select count(*)::int as n from pg_tables
         where schemaname = 'public' and tablename in ('users', 'conversations', 'messages')`,
      ),
    )
    expect(tables.rows[0]?.n).toBe(3)
  })
})
