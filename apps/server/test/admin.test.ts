import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, embeddedDatabaseDir, migrateToLatest, upsertUser } from '@t3chat/db'
import { runAdmin } from '../src/admin'
import { tempDataDir } from './support/test-server'

// `pnpm admin budget` on the embedded database of a data directory (the server is not running).
let dataDir: string
const userId = randomUUID()
const env = () => ({ T3CHAT_DATA_DIR: dataDir, HOME: dataDir })

async function budgetOf() {
  const db = await createDb({ dataDir: embeddedDatabaseDir(dataDir) })
  try {
    return await db
      .selectFrom('users')
      .select(['budgetDayUsd', 'budgetMonthUsd'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow()
  } finally {
    await db.destroy()
  }
}

beforeAll(async () => {
  dataDir = await tempDataDir()
  const db = await createDb({ dataDir: embeddedDatabaseDir(dataDir) })
  await migrateToLatest(db)
  await upsertUser(db, { id: userId, email: 'ada@example.test' })
  await db.destroy()
})
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

describe('pnpm admin budget', () => {
  it('sets and removes a user’s override, by id or email', async () => {
    expect(await runAdmin(['budget', userId, '12.5'], env())).toMatch(
      /monthly budget set to \$12\.5/,
    )
    expect(await runAdmin(['budget', 'ada@example.test', '2', '--day'], env())).toMatch(/daily/)
    expect(await budgetOf()).toEqual({ budgetDayUsd: '2.000000', budgetMonthUsd: '12.500000' })
    expect(await runAdmin(['budget', userId, 'none'], env())).toMatch(/removed/)
    expect(await budgetOf()).toEqual({ budgetDayUsd: '2.000000', budgetMonthUsd: null })
  })

  it('a bad amount, an unknown user or a wrong command changes nothing and says why', async () => {
    const before = await budgetOf()
    await expect(runAdmin(['budget', userId, '-3'], env())).rejects.toThrow(/not an amount/)
    await expect(runAdmin(['budget', userId, 'lots'], env())).rejects.toThrow(/not an amount/)
    await expect(runAdmin(['budget', 'nobody@example.test', '1'], env())).rejects.toThrow(
      /no such user/,
    )
    await expect(runAdmin(['bduget', userId, '1'], env())).rejects.toThrow(/usage: pnpm admin/)
    expect(await budgetOf()).toEqual(before)
  })
})
