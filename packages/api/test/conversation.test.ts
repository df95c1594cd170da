import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { ChatEvent } from '../src/index'
import { useHarness } from './harness'
import { collect } from './streams'
import { expectTRPCError } from './support/core-errors'
import { sendAndFinish } from './support/core-turns'
import { anIso, aUuid, expectRecentIso } from './support/core-shapes'

const h = useHarness()

/**
 * PGlite's clock ticks in whole milliseconds: two writes within one share an activity time and
 * fall back to the id order. Tests that assert "newest first" leave a tick between writes.
 */
const nextTick = () => new Promise((resolve) => setTimeout(resolve, 2))

const conversationRow = (id: string) =>
  h.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst()

describe('conversation.create', () => {
  it('with nothing: the Conversation shape, the server default model, nulls and zeros', async () => {
    const since = Date.now()
    const { caller, id: userId } = await h.user()
    const created = await caller.conversation.create({})
    expect(created).toStrictEqual({
      id: aUuid,
      title: null,
      systemPrompt: null,
      currentModel: 'fake/echo',
      pinned: false,
      messageCount: 0,
      preview: null,
      lastMessageAt: null,
      createdAt: anIso,
      updatedAt: anIso,
    })
    expectRecentIso(created.createdAt, since)
    expect(await conversationRow(created.id)).toMatchObject({
      userId,
      title: null,
      currentModel: 'fake/echo',
      messageCount: 0,
    })
  })

  it('with title (trimmed), system prompt and model', async () => {
    const { caller } = await h.user()
    const created = await caller.conversation.create({
      title: '  Trip to Lisbon ',
      systemPrompt: 'You are terse.',
      model: 'fake/lorem',
    })
    expect(created).toMatchObject({
      title: 'Trip to Lisbon',
      systemPrompt: 'You are terse.',
      currentModel: 'fake/lorem',
    })
    expect(await caller.conversation.get({ id: created.id })).toStrictEqual(created)
  })

  it('accepts a model variant suffix of a listed model and the limits exactly', async () => {
    const { caller } = await h.user()
    const created = await caller.conversation.create({
      title: 't'.repeat(200),
      systemPrompt: 's'.repeat(20_000),
      model: 'fake/echo:nitro',
    })
    expect(created.title).toHaveLength(200)
    expect(created.systemPrompt).toHaveLength(20_000)
    expect(created.currentModel).toBe('fake/echo:nitro')
  })
})

describe('conversation.get', () => {
  it('returns the conversation with its message facts after a turn', async () => {
    const { caller } = await h.user()
    const { conversation, answer } = await sendAndFinish(caller, { content: 'hello preview' })
    await h.deps.runner.idle()
    const got = await caller.conversation.get({ id: conversation.id })
    expect(got).toMatchObject({
      id: conversation.id,
      messageCount: 2,
      preview: 'hello preview',
      currentModel: 'fake/echo',
      lastMessageAt: anIso,
    })
    // The background title job named it after the first answer.
    expect(got.title).toBe('Generated title')
    expect(Date.parse(got.lastMessageAt ?? '')).toBeLessThanOrEqual(Date.parse(answer.createdAt))
  })

  it('NOT_FOUND for an id that does not exist', async () => {
    const { caller } = await h.user()
    await expectTRPCError(caller.conversation.get({ id: randomUUID() }), 'NOT_FOUND')
  })
})

describe('conversation.list', () => {
  it('returns newest activity first, keyset pages that neither skip nor repeat', async () => {
    const { caller } = await h.user()
    const ids: string[] = []
    for (let i = 0; i < 7; i++) {
      ids.push((await caller.conversation.create({ title: `c${i}` })).id)
      await nextTick()
    }

    const first = await caller.conversation.list()
    expect(first.items.map((c) => c.id)).toEqual([...ids].reverse())
    expect(first.nextCursor).toBeNull()

    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: Awaited<ReturnType<typeof caller.conversation.list>> =
        await caller.conversation.list({ limit: 3, cursor })
      expect(page.items.length).toBeLessThanOrEqual(3)
      seen.push(...page.items.map((c) => c.id))
      cursor = page.nextCursor
      pages++
    } while (cursor !== null && pages < 10)
    expect(pages).toBe(3)
    expect(seen).toEqual([...ids].reverse())

    // A page that ends exactly at the last row says so.
    const exact = await caller.conversation.list({ limit: 7 })
    expect(exact.items).toHaveLength(7)
    expect(exact.nextCursor).toBeNull()
  })

  it('a new message moves its conversation to the top; items carry the list fields', async () => {
    const { caller } = await h.user()
    const older = await caller.conversation.create({ title: 'older' })
    await nextTick()
    await caller.conversation.create({ title: 'newer' })
    await nextTick()
    await sendAndFinish(caller, { conversationId: older.id, content: 'bump' })
    const { items } = await caller.conversation.list({ limit: 1 })
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({
      id: older.id,
      title: 'older',
      preview: 'bump',
      messageCount: 2,
      currentModel: 'fake/echo',
      lastMessageAt: anIso,
    })
  })

  it('is empty for a user without conversations', async () => {
    const { caller } = await h.user()
    await expect(caller.conversation.list({ limit: 5, cursor: null })).resolves.toStrictEqual({
      items: [],
      nextCursor: null,
    })
  })
})

describe('conversation.update', () => {
  it('changes title, system prompt, model and pinned; returns and stores them', async () => {
    const { caller } = await h.user()
    const created = await caller.conversation.create({ title: 'before', systemPrompt: 'old' })
    const updated = await caller.conversation.update({
      id: created.id,
      title: ' after ',
      systemPrompt: 'new prompt',
      model: 'fake/lorem',
      pinned: true,
    })
    expect(updated).toStrictEqual({
      ...created,
      title: 'after',
      systemPrompt: 'new prompt',
      currentModel: 'fake/lorem',
      pinned: true,
      updatedAt: anIso,
    })
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt))
    expect(await caller.conversation.get({ id: created.id })).toStrictEqual(updated)
    expect(await conversationRow(created.id)).toMatchObject({
      title: 'after',
      titleSetByUser: true,
      pinned: true,
    })
  })

  it('changes only what is given; null clears the title and the system prompt', async () => {
    const { caller } = await h.user()
    const created = await caller.conversation.create({ title: 'keep', systemPrompt: 'keep too' })
    const pinned = await caller.conversation.update({ id: created.id, pinned: true })
    expect(pinned).toMatchObject({ title: 'keep', systemPrompt: 'keep too', pinned: true })

    const cleared = await caller.conversation.update({
      id: created.id,
      title: null,
      systemPrompt: null,
    })
    expect(cleared).toMatchObject({ title: null, systemPrompt: null, pinned: true })
    expect((await conversationRow(created.id))?.titleSetByUser).toBe(false)

    const same = await caller.conversation.update({ id: created.id })
    expect(same).toStrictEqual(cleared)
  })

  it('NOT_FOUND for an id that does not exist', async () => {
    const { caller } = await h.user()
    await expectTRPCError(caller.conversation.update({ id: randomUUID(), title: 'x' }), 'NOT_FOUND')
  })
})

describe('conversation.delete', () => {
  it('returns { id }, removes the conversation and its messages', async () => {
    const { caller } = await h.user()
    const { conversation } = await sendAndFinish(caller, { content: 'to be deleted' })
    await h.deps.runner.idle()
    const keep = await caller.conversation.create({ title: 'keep' })

    await expect(caller.conversation.delete({ id: conversation.id })).resolves.toStrictEqual({
      id: conversation.id,
    })
    expect(await conversationRow(conversation.id)).toBeUndefined()
    const orphans = await h.db
      .selectFrom('messages')
      .select('id')
      .where('conversationId', '=', conversation.id)
      .execute()
    expect(orphans).toEqual([])
    await expectTRPCError(caller.conversation.get({ id: conversation.id }), 'NOT_FOUND')
    await expectTRPCError(caller.conversation.delete({ id: conversation.id }), 'NOT_FOUND')
    expect((await caller.conversation.list()).items.map((c) => c.id)).toEqual([keep.id])
  })

  it('stops an answer that is still generating and removes it too', async () => {
    const { caller } = await h.user()
    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'long answer please',
      model: 'fake/slow',
    })
    // Wait for the first words, so the upstream request is under way when the delete comes.
    await collect<ChatEvent>(
      await caller.chat.stream({ messageId: sent.assistantMessage.id }),
      (e) => e.data.type === 'delta',
    )
    await caller.conversation.delete({ id: sent.conversation.id })
    await h.deps.runner.idle()
    const rows = await h.db
      .selectFrom('messages')
      .select('id')
      .where('id', 'in', [sent.userMessage.id, sent.assistantMessage.id])
      .execute()
    expect(rows).toEqual([])
    const upstream = h.fake.requests.find(
      (r) => r.model === 'fake/slow' && JSON.stringify(r.body).includes('long answer please'),
    )
    await upstream?.finished
    expect(upstream?.aborted).toBe(true)
  })
})
