import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useHarness } from './harness'
import { finalMessage } from './support/core-turns'
import { countRows } from './support/core-db'
import { anIso, expectRecentIso } from './support/core-shapes'

const h = useHarness()

const userRow = (id: string) =>
  h.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()

describe('user.me', () => {
  it('creates the row on the first call and returns the User shape', async () => {
    const since = Date.now()
    const id = randomUUID()
    expect(await userRow(id)).toBeUndefined()
    const caller = h.callerWith(`Bearer ${await h.tokenFor(id, 'ada@example.test')}`)

    const me = await caller.user.me()
    expect(me).toStrictEqual({
      id,
      email: 'ada@example.test',
      displayName: null,
      defaultModel: null,
      preferences: {},
      providerKey: null,
      createdAt: anIso,
      updatedAt: anIso,
    })
    expectRecentIso(me.createdAt, since)
    expect(me.updatedAt).toBe(me.createdAt)
    const row = await userRow(id)
    expect(row?.email).toBe('ada@example.test')
    expect(row?.createdAt.toISOString()).toBe(me.createdAt)
  })

  it('returns the same row on later calls and creates no second one', async () => {
    const { caller, id } = await h.user()
    const first = await caller.user.me()
    const usersBefore = await countRows(h.db, 'users')
    const again = await caller.user.me()
    expect(again).toStrictEqual(first)
    expect(first.email).toBeNull()
    expect(await countRows(h.db, 'users')).toBe(usersBefore)
    expect(await userRow(id)).toBeDefined()
  })

  it('creates the row on any first authenticated call, not only user.me', async () => {
    const { caller, id } = await h.user()
    await caller.conversation.list()
    expect(await userRow(id)).toMatchObject({ id, displayName: null, preferences: {} })
  })
})

describe('user.update', () => {
  it('sets display name, default model and preferences, returns and stores them', async () => {
    const { caller, id } = await h.user()
    const created = await caller.user.me()
    const prefs = { theme: 'dark', fontSize: 14, nested: { a: [1, 'two', null, true] } }
    const updated = await caller.user.update({
      displayName: '  Ada Lovelace  ',
      defaultModel: 'fake/lorem',
      preferences: prefs,
    })
    expect(updated).toStrictEqual({
      id,
      email: null,
      displayName: 'Ada Lovelace',
      defaultModel: 'fake/lorem',
      preferences: prefs,
      providerKey: null,
      createdAt: created.createdAt,
      updatedAt: anIso,
    })
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt))
    expect(await caller.user.me()).toStrictEqual(updated)
    expect(await userRow(id)).toMatchObject({
      displayName: 'Ada Lovelace',
      defaultModel: 'fake/lorem',
      preferences: prefs,
    })
  })

  it('changes only the fields given; preferences are replaced as a whole; null clears', async () => {
    const { caller } = await h.user()
    await caller.user.update({
      displayName: 'Grace',
      defaultModel: 'fake/echo',
      preferences: { a: 1, b: 2 },
    })

    const onlyPrefs = await caller.user.update({ preferences: { c: 3 } })
    expect(onlyPrefs).toMatchObject({
      displayName: 'Grace',
      defaultModel: 'fake/echo',
      preferences: { c: 3 },
    })

    const cleared = await caller.user.update({ displayName: null, defaultModel: null })
    expect(cleared).toMatchObject({ displayName: null, defaultModel: null, preferences: { c: 3 } })

    const unchanged = await caller.user.update({})
    expect(unchanged).toStrictEqual(cleared)
  })

  it('accepts preferences right at the 16 KiB limit', async () => {
    const { caller } = await h.user()
    const overhead = Buffer.byteLength(JSON.stringify({ k: '' }))
    const preferences = { k: 'x'.repeat(16 * 1024 - overhead) }
    expect(Buffer.byteLength(JSON.stringify(preferences))).toBe(16 * 1024)
    const updated = await caller.user.update({ preferences, displayName: 'd'.repeat(100) })
    expect(updated.preferences).toStrictEqual(preferences)
    expect(updated.displayName).toHaveLength(100)
  })

  it("regression: conversation.create without a model ignored the user's default model", async () => {
    const { caller } = await h.user()
    await caller.user.update({ defaultModel: 'fake/lorem' })

    const created = await caller.conversation.create({})
    expect(created.currentModel).toBe('fake/lorem')
    // chat.send without a conversation already followed the user's default: both agree now.
    const sent = await caller.chat.send({ clientMessageId: randomUUID(), content: 'no model' })
    expect(sent.conversation.currentModel).toBe('fake/lorem')
    await finalMessage(caller, sent.assistantMessage.id)
    // A model in the request still wins.
    expect((await caller.conversation.create({ model: 'fake/echo' })).currentModel).toBe(
      'fake/echo',
    )
  })
})
