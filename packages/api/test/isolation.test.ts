import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createCaller,
  createContext,
  type ChatEvent,
  type Conversation,
  type UserEvent,
} from '../src/index'
import { startHarness, type Harness } from './harness'
import { collect } from './streams'
import { snapshotUser } from './support/core-db'
import { expectTRPCError } from './support/core-errors'
import { finalMessage, sendAndFinish, type CoreCaller } from './support/core-turns'

let h: Harness
let a: { id: string; token: string; caller: CoreCaller }
let b: { id: string; token: string; caller: CoreCaller }
/** A's finished conversation: two turns, then a regenerated answer. */
const mine = {
  conversationId: '',
  userMessageId: '',
  answerId: '',
  sendClientId: '',
  regenerateClientId: '',
}
let bConversation: Conversation

beforeAll(async () => {
  // chat.stream waits this long for an answer id not created yet before NOT_FOUND.
  h = await startHarness({ config: { answerWaitMs: 100 } })
  a = await h.user()
  b = await h.user()
  const first = await sendAndFinish(a.caller, { content: 'secret of A' })
  mine.conversationId = first.conversation.id
  mine.sendClientId = randomUUID()
  const second = await a.caller.chat.send({
    conversationId: mine.conversationId,
    clientMessageId: mine.sendClientId,
    content: 'more secrets',
  })
  await finalMessage(a.caller, second.assistantMessage.id)
  mine.userMessageId = second.userMessage.id
  mine.regenerateClientId = randomUUID()
  const again = await a.caller.chat.regenerate({
    conversationId: mine.conversationId,
    clientMessageId: mine.regenerateClientId,
  })
  mine.answerId = again.assistantMessage.id
  await finalMessage(a.caller, mine.answerId)
  bConversation = (await sendAndFinish(b.caller, { content: 'B talks' })).conversation
  await h.deps.runner.idle()
})
afterAll(async () => {
  await h.close()
})

/**
 * Runs B's call against A's resource: NOT_FOUND with the same message as for an id that does
 * not exist (never say which), nothing of A's changes, nothing goes upstream.
 */
async function expectHidden(
  call: (ids: typeof mine) => Promise<unknown>,
  missing: (id: string) => Promise<unknown>,
): Promise<void> {
  const before = await snapshotUser(h.db, a.id)
  const upstream = h.fake.requests.length
  const error = await expectTRPCError(call(mine), 'NOT_FOUND')
  const control = await expectTRPCError(missing(randomUUID()), 'NOT_FOUND')
  expect(error.message).toBe(control.message)
  await h.deps.runner.idle()
  expect(await snapshotUser(h.db, a.id)).toStrictEqual(before)
  expect(h.fake.requests.length).toBe(upstream)
}

describe("another user's ids are NOT_FOUND and change nothing", () => {
  it('conversation.get', async () => {
    await expectHidden(
      (m) => b.caller.conversation.get({ id: m.conversationId }),
      (id) => b.caller.conversation.get({ id }),
    )
  })

  it('conversation.update', async () => {
    await expectHidden(
      (m) =>
        b.caller.conversation.update({
          id: m.conversationId,
          title: 'taken over',
          systemPrompt: 'obey B',
          model: 'fake/lorem',
          pinned: true,
        }),
      (id) => b.caller.conversation.update({ id, title: 'x' }),
    )
  })

  it('conversation.delete', async () => {
    await expectHidden(
      (m) => b.caller.conversation.delete({ id: m.conversationId }),
      (id) => b.caller.conversation.delete({ id }),
    )
  })

  it('message.list', async () => {
    await expectHidden(
      (m) => b.caller.message.list({ conversationId: m.conversationId }),
      (id) => b.caller.message.list({ conversationId: id }),
    )
  })

  it('chat.stream of an answer and of a user message', async () => {
    await expectHidden(
      (m) => b.caller.chat.stream({ messageId: m.answerId }),
      (id) => b.caller.chat.stream({ messageId: id }),
    )
    await expectHidden(
      (m) => b.caller.chat.stream({ messageId: m.userMessageId, lastEventId: '0' }),
      (id) => b.caller.chat.stream({ messageId: id }),
    )
  })

  it('chat.stop', async () => {
    await expectHidden(
      (m) => b.caller.chat.stop({ messageId: m.answerId }),
      (id) => b.caller.chat.stop({ messageId: id }),
    )
  })

  it('chat.send with conversationId', async () => {
    await expectHidden(
      (m) =>
        b.caller.chat.send({
          conversationId: m.conversationId,
          clientMessageId: randomUUID(),
          content: 'let me in',
          model: 'fake/lorem',
          systemPrompt: 'obey B',
        }),
      (id) =>
        b.caller.chat.send({ conversationId: id, clientMessageId: randomUUID(), content: 'x' }),
    )
  })

  it('chat.regenerate (with a fresh client id, and with A’s own)', async () => {
    await expectHidden(
      (m) =>
        b.caller.chat.regenerate({
          conversationId: m.conversationId,
          clientMessageId: randomUUID(),
          model: 'fake/lorem',
        }),
      (id) => b.caller.chat.regenerate({ conversationId: id, clientMessageId: randomUUID() }),
    )
    await expectHidden(
      (m) =>
        b.caller.chat.regenerate({
          conversationId: m.conversationId,
          clientMessageId: m.regenerateClientId,
        }),
      (id) => b.caller.chat.regenerate({ conversationId: id, clientMessageId: randomUUID() }),
    )
  })
})

describe("a live answer of A's", () => {
  it('B can neither follow nor stop it; it completes untouched for A', async () => {
    const sent = await a.caller.chat.send({
      conversationId: mine.conversationId,
      clientMessageId: randomUUID(),
      content: 'a long one',
      model: 'fake/slow',
    })
    const messageId = sent.assistantMessage.id
    // Wait until it streams, so the hub holds it while B tries.
    const following = a.caller.chat.stream({ messageId })
    const firstWords = await collect<ChatEvent>(await following, (e) => e.data.type === 'delta')
    expect(firstWords.at(-1)?.data.type).toBe('delta')

    await expectTRPCError(b.caller.chat.stream({ messageId }), 'NOT_FOUND')
    await expectTRPCError(b.caller.chat.stop({ messageId }), 'NOT_FOUND')
    await expectTRPCError(
      b.caller.message.list({ conversationId: mine.conversationId }),
      'NOT_FOUND',
    )

    const answer = await finalMessage(a.caller, messageId)
    expect(answer.status).toBe('completed')
    expect(answer.content.split(' ').length).toBeGreaterThanOrEqual(40)
    expect(
      h.fake.requests.find((r) => JSON.stringify(r.body).includes('a long one'))?.aborted,
    ).toBe(false)
    await h.deps.runner.idle()
  })
})

describe("B's lists and feeds", () => {
  it("conversation.list shows only B's rows, also when paging and with A's cursor", async () => {
    for (let i = 0; i < 3; i++) await a.caller.conversation.create({ title: `A ${i}` })
    const aPage = await a.caller.conversation.list({ limit: 1 })
    expect(aPage.nextCursor).not.toBeNull()

    const extra = await b.caller.conversation.create({ title: 'B 2' })
    const bAll = await b.caller.conversation.list()
    expect(bAll.items.map((c) => c.id)).toEqual([extra.id, bConversation.id])

    const seen: string[] = []
    let cursor: string | null = null
    for (let i = 0; i < 5; i++) {
      const page: Awaited<ReturnType<typeof b.caller.conversation.list>> =
        await b.caller.conversation.list({ limit: 1, cursor })
      seen.push(...page.items.map((c) => c.id))
      cursor = page.nextCursor
      if (cursor === null) break
    }
    expect(seen).toEqual([extra.id, bConversation.id])

    // A cursor is a position, not a key: with A's, B still pages through B's own rows only.
    const withA = await b.caller.conversation.list({ cursor: aPage.nextCursor })
    const aIds = new Set((await a.caller.conversation.list({ limit: 100 })).items.map((c) => c.id))
    for (const item of withA.items) expect(aIds.has(item.id)).toBe(false)
  })

  it("events: B's feed carries none of A's changes", async () => {
    // The signal ends the feed (a createCaller takes it per caller): fail, don't hang.
    const bFeed = createCaller(
      createContext({ deps: h.deps, authorization: `Bearer ${b.token}` }),
      {
        signal: AbortSignal.timeout(10_000),
      },
    )
    const reading = collect<UserEvent>(
      await bFeed.events({}),
      (e) => e.data.type === 'conversation.created' && e.data.conversation.title === 'B marker',
    )
    // The feed starts listening when it is first read: let that happen before anyone acts.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))

    const aConversation = await a.caller.conversation.create({ title: 'A private' })
    await a.caller.conversation.update({ id: aConversation.id, pinned: true })
    await sendAndFinish(a.caller, { conversationId: aConversation.id, content: 'A speaks' })
    const marker = await b.caller.conversation.create({ title: 'B marker' })
    const events = await reading

    expect(events.at(-1)?.data).toMatchObject({
      type: 'conversation.created',
      conversation: { id: marker.id },
    })
    const text = JSON.stringify(events.map((e) => e.data))
    expect(text).not.toContain(aConversation.id)
    expect(text).not.toContain('A speaks')
    await h.deps.runner.idle()
  })

  it("B reusing A's clientMessageId in chat.send sends like a fresh id, nothing of A's returned or changed", async () => {
    // Regression: BAD_REQUEST "already used" told B that the id was someone's.
    const before = await snapshotUser(h.db, a.id)
    const sent = await sendAndFinish(b.caller, {
      conversationId: bConversation.id,
      clientMessageId: mine.sendClientId,
      content: 'replay?',
    })
    expect(sent.conversation.id).toBe(bConversation.id)
    expect(sent.userMessage.content).toBe('replay?')
    expect(sent.answer.status).toBe('completed')
    await h.deps.runner.idle()
    expect(await snapshotUser(h.db, a.id)).toStrictEqual(before)
  })

  it("regression: B regenerating with A's clientMessageId was an INTERNAL_SERVER_ERROR, then BAD_REQUEST", async () => {
    const before = await snapshotUser(h.db, a.id)
    const again = await b.caller.chat.regenerate({
      conversationId: bConversation.id,
      clientMessageId: mine.regenerateClientId,
    })
    expect(again.conversation.id).toBe(bConversation.id)
    expect((await finalMessage(b.caller, again.assistantMessage.id)).status).toBe('completed')
    await h.deps.runner.idle()
    expect(await snapshotUser(h.db, a.id)).toStrictEqual(before)
  })
})
