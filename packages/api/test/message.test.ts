import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Message } from '../src/index'
import { startHarness, type Harness } from './harness'
import { expectTRPCError } from './support/core-errors'
import { anIso, aUuid } from './support/core-shapes'
import { sendAndFinish, type CoreCaller } from './support/core-turns'

let h: Harness
let caller: CoreCaller
let conversationId: string
/** The six messages of three turns, in seq order. */
let all: Message[]

beforeAll(async () => {
  h = await startHarness()
  ;({ caller } = await h.user())
  const first = await sendAndFinish(caller, { content: 'one two' })
  conversationId = first.conversation.id
  await sendAndFinish(caller, { conversationId, content: 'three four five' })
  await sendAndFinish(caller, { conversationId, content: 'six' })
  await h.deps.runner.idle()
  all = (await caller.message.list({ conversationId })).items
})
afterAll(async () => {
  await h.close()
})

describe('message.list', () => {
  it('returns the whole short history in ascending seq with exact Message shapes', async () => {
    expect(all.map((m) => [m.seq, m.role, m.content])).toEqual([
      [1, 'user', 'one two'],
      [2, 'assistant', 'one two'],
      [3, 'user', 'three four five'],
      [4, 'assistant', 'three four five'],
      [5, 'user', 'six'],
      [6, 'assistant', 'six'],
    ])
    expect(all[0]).toStrictEqual({
      id: aUuid,
      conversationId,
      parentId: null,
      branch: { index: 1, count: 1 },
      seq: 1,
      role: 'user',
      content: 'one two',
      model: null,
      status: 'completed',
      error: null,
      usage: null,
      createdAt: anIso,
      completedAt: anIso,
    })
    expect(all[1]).toStrictEqual({
      id: aUuid,
      conversationId,
      parentId: all[0]?.id,
      branch: { index: 1, count: 1 },
      seq: 2,
      role: 'assistant',
      content: 'one two',
      model: 'fake/echo',
      status: 'completed',
      error: null,
      usage: {
        promptTokens: expect.any(Number) as unknown,
        completionTokens: expect.any(Number) as unknown,
        cost: expect.any(Number) as unknown,
        costSource: 'provider',
      },
      createdAt: anIso,
      completedAt: anIso,
    })
    const usage = all[1]?.usage
    expect(usage?.promptTokens).toBeGreaterThan(0)
    expect(usage?.completionTokens).toBeGreaterThan(0)
    expect(usage?.cost).toBeGreaterThan(0)
    const answer = all[1]
    expect(Date.parse(answer?.completedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(answer?.createdAt ?? ''),
    )
    await expect(caller.message.list({ conversationId })).resolves.toStrictEqual({
      items: all,
      nextBefore: null,
    })
  })

  it('pages newest first by `before`, each page ascending, until nextBefore is null', async () => {
    const newest = await caller.message.list({ conversationId, limit: 4 })
    expect(newest.items.map((m) => m.seq)).toEqual([3, 4, 5, 6])
    expect(newest.nextBefore).toBe(3)
    expect(newest.items).toStrictEqual(all.slice(2))

    const older = await caller.message.list({ conversationId, limit: 4, before: 3 })
    expect(older).toStrictEqual({ items: all.slice(0, 2), nextBefore: null })

    const pages: number[][] = []
    let before: number | undefined
    for (let i = 0; i < 10; i++) {
      const page = await caller.message.list({ conversationId, limit: 2, before })
      pages.push(page.items.map((m) => m.seq))
      if (page.nextBefore === null) break
      before = page.nextBefore
    }
    expect(pages).toEqual([
      [5, 6],
      [3, 4],
      [1, 2],
    ])
  })

  it('a page that ends exactly at seq 1 has no next page; before 1 is empty', async () => {
    await expect(caller.message.list({ conversationId, limit: 6 })).resolves.toMatchObject({
      nextBefore: null,
    })
    await expect(
      caller.message.list({ conversationId, limit: 2, before: 3 }),
    ).resolves.toStrictEqual({ items: all.slice(0, 2), nextBefore: null })
    await expect(caller.message.list({ conversationId, before: 1 })).resolves.toStrictEqual({
      items: [],
      nextBefore: null,
    })
    // A `before` past the end is the newest page.
    await expect(caller.message.list({ conversationId, before: 1_000 })).resolves.toStrictEqual({
      items: all,
      nextBefore: null,
    })
  })

  it('an empty conversation has no messages; an unknown one is NOT_FOUND', async () => {
    const empty = await caller.conversation.create({})
    await expect(caller.message.list({ conversationId: empty.id })).resolves.toStrictEqual({
      items: [],
      nextBefore: null,
    })
    await expectTRPCError(caller.message.list({ conversationId: randomUUID() }), 'NOT_FOUND')
  })

  it('shows the same messages chat.send returned and the answers chat.stream finished', async () => {
    const sent = await sendAndFinish(caller, { content: 'seven eight' })
    const { items } = await caller.message.list({ conversationId: sent.conversation.id })
    expect(items).toHaveLength(2)
    expect(items[0]).toStrictEqual(sent.userMessage)
    expect(items[1]).toStrictEqual(sent.answer)
  })
})

describe('message.list page size', () => {
  it('a page stops at maxPageChars of content (newest kept) and nextBefore continues it', async () => {
    const saved = h.deps.config.maxPageChars
    h.deps.config.maxPageChars = 20
    try {
      const first = await caller.message.list({ conversationId })
      expect(first.items.map((m) => m.seq)).toEqual([5, 6])
      expect(first.nextBefore).toBe(5)
      const second = await caller.message.list({ conversationId, before: 5 })
      expect(second.items.map((m) => m.seq)).toEqual([4])
      expect(second.nextBefore).toBe(4)
      // One message larger than the budget still comes, alone.
      h.deps.config.maxPageChars = 1
      const single = await caller.message.list({ conversationId })
      expect(single.items.map((m) => m.seq)).toEqual([6])
      expect(single.nextBefore).toBe(6)
    } finally {
      h.deps.config.maxPageChars = saved
    }
  })
})
