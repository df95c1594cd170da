import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findUser, updateUser, upsertUser } from '../src/index'
import { createTestDb, type TestDb } from '../src/testing'
import { databaseUrl } from './helpers'

let testDb: TestDb
beforeAll(async () => {
  testDb = await createTestDb({ databaseUrl })
})
afterAll(() => testDb.destroy())

describe('users', () => {
  it('upsertUser creates once, keeps a known email, and updates a changed one', async () => {
    const { db } = testDb
    const id = randomUUID()
    const created = await upsertUser(db, { id, email: 'a@x.test' })
    expect(created).toMatchObject({ id, email: 'a@x.test', displayName: null, preferences: {} })

    const again = await upsertUser(db, { id, email: 'a@x.test' })
    expect(again).toEqual(created)
    expect(await upsertUser(db, { id, email: null })).toEqual(created)

    const changed = await upsertUser(db, { id, email: 'b@x.test' })
    expect(changed.email).toBe('b@x.test')
    expect(changed.createdAt).toEqual(created.createdAt)
    expect(await findUser(db, id)).toEqual(changed)
  })

  it('concurrent first calls for one user all return the row', async () => {
    const { db } = testDb
    const id = randomUUID()
    const rows = await Promise.all(
      Array.from({ length: 8 }, () => upsertUser(db, { id, email: 'c@x.test' })),
    )
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set([id]))
    const count = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(count.n).toBe(1)
  })

  it('updateUser changes only the given fields and stores preferences verbatim', async () => {
    const { db } = testDb
    const user = await upsertUser(db, { id: randomUUID(), email: null })
    const preferences = {
      theme_mode: 'dark',
      nested: { snake_key: [1, 'two'] },
      'with space': true,
    }
    const updated = await updateUser(db, user.id, { displayName: 'Ann', preferences })
    expect(updated).toMatchObject({ displayName: 'Ann', defaultModel: null, preferences })
    expect(updated?.updatedAt.getTime()).toBeGreaterThanOrEqual(user.updatedAt.getTime())

    const model = await updateUser(db, user.id, { defaultModel: 'openai/gpt-4o' })
    expect(model).toMatchObject({ displayName: 'Ann', defaultModel: 'openai/gpt-4o', preferences })
    expect(await updateUser(db, user.id, { displayName: null })).toMatchObject({
      displayName: null,
    })
    expect(await updateUser(db, user.id, {})).toMatchObject({ id: user.id })
    expect(await updateUser(db, randomUUID(), { displayName: 'x' })).toBeUndefined()
  })
})
