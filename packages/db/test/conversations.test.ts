import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  createConversation,
  deleteConversation,
  findConversation,
  lockConversation,
  updateConversation,
} from '../src/index'
import { createTestDb, truncateAll, type TestDb } from '../src/testing'
import { appendMessages, databaseUrl, seedConversation, seedUser } from './helpers'

let testDb: TestDb
beforeAll(async () => {
  testDb = await createTestDb({ databaseUrl })
})
afterAll(() => testDb.destroy())
beforeEach(() => truncateAll(testDb.db))

describe('conversations', () => {
  it('createConversation fills the defaults', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const c = await createConversation(db, {
      userId: user.id,
      currentModel: 'm/a',
      systemPrompt: 'be brief',
    })
    expect(c).toMatchObject({
      userId: user.id,
      title: null,
      titleSetByUser: false,
      systemPrompt: 'be brief',
      currentModel: 'm/a',
      pinned: false,
      messageCount: 0,
      lastSeq: 0,
      preview: null,
      lastMessageAt: null,
    })
    expect(c.activityAt).toBeInstanceOf(Date)
    const titled = await createConversation(db, {
      userId: user.id,
      currentModel: 'm/a',
      title: 'Mine',
    })
    expect(titled).toMatchObject({ title: 'Mine', titleSetByUser: true })
  })

  it('updateConversation changes only the given fields and bumps updatedAt', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const c = await seedConversation(db, user.id)
    const key = { userId: user.id, id: c.id }
    const updated = await updateConversation(db, key, {
      title: 'T',
      titleSetByUser: true,
      pinned: true,
    })
    expect(updated).toMatchObject({
      title: 'T',
      titleSetByUser: true,
      pinned: true,
      currentModel: c.currentModel,
    })
    expect(updated?.updatedAt.getTime()).toBeGreaterThanOrEqual(c.updatedAt.getTime())
    expect(
      await updateConversation(db, key, { systemPrompt: null, currentModel: 'm/b' }),
    ).toMatchObject({
      title: 'T',
      systemPrompt: null,
      currentModel: 'm/b',
    })
    expect(await updateConversation(db, key, { title: undefined })).toMatchObject({ title: 'T' })
  })

  it('deleteConversation removes it with its messages', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const c = await seedConversation(db, user.id)
    await db.transaction().execute((trx) =>
      appendMessages(trx, {
        userId: user.id,
        conversationId: c.id,
        messages: [{ role: 'user', content: 'x', status: 'completed' }],
      }),
    )
    expect(await deleteConversation(db, { userId: user.id, id: c.id })).toBe(true)
    expect(await findConversation(db, { userId: user.id, id: c.id })).toBeUndefined()
    const left = await db
      .selectFrom('messages')
      .select('id')
      .where('conversationId', '=', c.id)
      .execute()
    expect(left).toEqual([])
    expect(await deleteConversation(db, { userId: user.id, id: c.id })).toBe(false)
  })

  it.runIf(databaseUrl)('lockConversation holds the row until the transaction ends', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const c = await seedConversation(db, user.id)
    const key = { userId: user.id, id: c.id }
    const order: string[] = []
    let releaseFirst = () => {}
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve))
    let firstLocked = () => {}
    const locked = new Promise<void>((resolve) => (firstLocked = resolve))

    const first = db.transaction().execute(async (trx) => {
      expect(await lockConversation(trx, key)).toMatchObject({ id: c.id })
      firstLocked()
      await firstHolds
      order.push('first done')
    })
    await locked
    const second = db.transaction().execute(async (trx) => {
      await lockConversation(trx, key)
      order.push('second locked')
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    order.push('released')
    releaseFirst()
    await Promise.all([first, second])
    expect(order).toEqual(['released', 'first done', 'second locked'])
  })
})
