import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useHarness } from './harness'
import { countRows } from './support/core-db'
import { expectTRPCError } from './support/core-errors'
import { anIso, aUuid } from './support/core-shapes'
import { finalMessage, sendAndFinish } from './support/core-turns'
import { watchEvents } from './support/user-events'

const h = useHarness()

/** A conversation of a fresh user with two finished turns (echo answers), and a system prompt. */
async function twoTurns() {
  const user = await h.user()
  const conversation = await user.caller.conversation.create({
    title: 'Lisbon',
    systemPrompt: 'SECRET SYSTEM PROMPT',
  })
  const first = await sendAndFinish(user.caller, {
    conversationId: conversation.id,
    content: 'first question',
  })
  const second = await sendAndFinish(user.caller, {
    conversationId: conversation.id,
    content: 'second question',
  })
  return { ...user, conversation, first, second }
}

const shareRow = (id: string) =>
  h.db.selectFrom('shares').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

describe('share.create', () => {
  it('returns the Share with a URL-safe token of ≥ 128 bits; only its hash is stored', async () => {
    const { caller, conversation } = await twoTurns()
    const share = await caller.share.create({ conversationId: conversation.id })
    expect(share).toStrictEqual({
      id: aUuid,
      token: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      conversationId: conversation.id,
      title: 'Lisbon',
      messageCount: 4,
      createdAt: anIso,
      revokedAt: null,
    })
    const row = await shareRow(share.id)
    const stored = JSON.stringify(row)
    expect(stored).not.toContain(share.token)
    expect(row.tokenHash).not.toBe(share.token)
  })

  it('the public view: title, time and role/content/model/time per message, nothing else', async () => {
    const { caller, conversation, first, second } = await twoTurns()
    const share = await caller.share.create({ conversationId: conversation.id })
    const view = await h.anonymous().share.get({ token: share.token ?? '' })
    expect(view).toStrictEqual({
      title: 'Lisbon',
      createdAt: share.createdAt,
      messages: [
        { role: 'user', content: 'first question', model: null, createdAt: anIso },
        { role: 'assistant', content: first.answer.content, model: 'fake/echo', createdAt: anIso },
        { role: 'user', content: 'second question', model: null, createdAt: anIso },
        { role: 'assistant', content: second.answer.content, model: 'fake/echo', createdAt: anIso },
      ],
    })
    expect(view.messages[1]?.createdAt).toBe(first.answer.createdAt)
    const text = JSON.stringify(view)
    for (const secret of [
      'SECRET SYSTEM PROMPT',
      conversation.id,
      first.answer.id,
      first.userMessage.id,
    ])
      expect(text).not.toContain(secret)
  })

  it('is a snapshot: later messages and renames do not show', async () => {
    const { caller, conversation } = await twoTurns()
    const share = await caller.share.create({ conversationId: conversation.id })
    await sendAndFinish(caller, { conversationId: conversation.id, content: 'third question' })
    await caller.conversation.update({ id: conversation.id, title: 'Renamed' })
    const view = await h.anonymous().share.get({ token: share.token ?? '' })
    expect(view.title).toBe('Lisbon')
    expect(view.messages.map((m) => m.content)).not.toContain('third question')
    expect(view.messages).toHaveLength(4)
  })

  it('messageId ends the shared path there', async () => {
    const { caller, conversation, first } = await twoTurns()
    const share = await caller.share.create({
      conversationId: conversation.id,
      messageId: first.answer.id,
    })
    expect(share.messageCount).toBe(2)
    const view = await h.anonymous().share.get({ token: share.token ?? '' })
    expect(view.messages.map((m) => m.role)).toStrictEqual(['user', 'assistant'])
  })

  it('messageId on another branch shares that branch: the path up to it, not the active one', async () => {
    const { caller, conversation, second } = await twoTurns()
    const regen = await caller.chat.regenerate({
      conversationId: conversation.id,
      clientMessageId: randomUUID(),
      model: 'fake/lorem',
    })
    await finalMessage(caller, regen.assistantMessage.id)
    const share = await caller.share.create({
      conversationId: conversation.id,
      messageId: second.answer.id,
    })
    const view = await h.anonymous().share.get({ token: share.token ?? '' })
    expect(view.messages).toHaveLength(4)
    expect(view.messages[3]).toMatchObject({ content: second.answer.content, model: 'fake/echo' })
    const active = await caller.share.create({ conversationId: conversation.id })
    const activeView = await h.anonymous().share.get({ token: active.token ?? '' })
    expect(activeView.messages[3]?.model).toBe('fake/lorem')
  })

  it("another user's conversation or message: NOT_FOUND, nothing stored", async () => {
    const owner = await twoTurns()
    const stranger = await h.user()
    const mine = await stranger.caller.conversation.create({})
    const shares = await countRows(h.db, 'shares')
    await expectTRPCError(
      stranger.caller.share.create({ conversationId: owner.conversation.id }),
      'NOT_FOUND',
      'Conversation not found',
    )
    await expectTRPCError(
      stranger.caller.share.create({ conversationId: mine.id, messageId: owner.first.answer.id }),
      'NOT_FOUND',
      'Message not found',
    )
    expect(await countRows(h.db, 'shares')).toBe(shares)
  })

  it('bad ids: BAD_REQUEST naming the field', async () => {
    const { caller } = await h.user()
    await expectTRPCError(
      caller.share.create({ conversationId: 'nope' }),
      'BAD_REQUEST',
      'conversationId',
    )
  })
})

describe('share.list and share.revoke', () => {
  it('lists the own shares newest first, optionally of one conversation; tokens are not shown', async () => {
    const { caller, conversation } = await twoTurns()
    const other = await caller.conversation.create({ title: 'Other' })
    const a = await caller.share.create({ conversationId: conversation.id })
    await new Promise((resolve) => setTimeout(resolve, 2))
    const b = await caller.share.create({ conversationId: other.id })
    const all = await caller.share.list()
    expect(all.items.map((s) => s.id)).toStrictEqual([b.id, a.id])
    expect(all.items[1]).toStrictEqual({ ...a, token: null })
    const one = await caller.share.list({ conversationId: conversation.id })
    expect(one.items.map((s) => s.id)).toStrictEqual([a.id])
    const stranger = await h.user()
    expect((await stranger.caller.share.list()).items).toStrictEqual([])
  })

  it('revoke: the link stops answering, alike to an unknown token; a second revoke keeps the time', async () => {
    const { caller, conversation } = await twoTurns()
    const share = await caller.share.create({ conversationId: conversation.id })
    const revoked = await caller.share.revoke({ id: share.id })
    expect(revoked).toStrictEqual({ ...share, token: null, revokedAt: anIso })
    const gone = await expectTRPCError(
      h.anonymous().share.get({ token: share.token ?? '' }),
      'NOT_FOUND',
    )
    const unknown = await expectTRPCError(
      h.anonymous().share.get({ token: 'x'.repeat(32) }),
      'NOT_FOUND',
    )
    expect(gone.message).toBe(unknown.message)
    expect(await caller.share.revoke({ id: share.id })).toStrictEqual(revoked)
  })

  it("another user's share: NOT_FOUND and it keeps working", async () => {
    const { caller, conversation } = await twoTurns()
    const share = await caller.share.create({ conversationId: conversation.id })
    const stranger = await h.user()
    await expectTRPCError(
      stranger.caller.share.revoke({ id: share.id }),
      'NOT_FOUND',
      'Share not found',
    )
    expect((await shareRow(share.id)).revokedAt).toBeNull()
    await expect(h.anonymous().share.get({ token: share.token ?? '' })).resolves.toMatchObject({
      title: 'Lisbon',
    })
  })

  it('deleting the conversation removes its shares; the link answers like an unknown one', async () => {
    const { caller, conversation } = await twoTurns()
    const share = await caller.share.create({ conversationId: conversation.id })
    await caller.conversation.delete({ id: conversation.id })
    expect(
      await h.db.selectFrom('shares').select('id').where('id', '=', share.id).execute(),
    ).toStrictEqual([])
    const gone = await expectTRPCError(
      h.anonymous().share.get({ token: share.token ?? '' }),
      'NOT_FOUND',
    )
    expect(gone.message).toBe('This share link does not exist or is no longer shared')
  })
})

describe('share events', () => {
  it('share.created and share.revoked reach the other devices, without the token', async () => {
    const { caller, conversation, token } = await twoTurns()
    const device = await watchEvents(h, token)
    try {
      const share = await caller.share.create({ conversationId: conversation.id })
      await caller.share.revoke({ id: share.id })
      const created = await device.until((e) => e.type === 'share.created', 'share.created')
      const revoked = await device.until((e) => e.type === 'share.revoked', 'share.revoked')
      expect(created.data).toStrictEqual({
        type: 'share.created',
        share: { ...share, token: null },
      })
      expect(revoked.data).toMatchObject({
        type: 'share.revoked',
        share: { id: share.id, token: null, revokedAt: anIso },
      })
    } finally {
      await device.stop()
    }
  })
})
