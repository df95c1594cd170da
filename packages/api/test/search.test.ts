import { describe, expect, it } from 'vitest'
import type { SearchHit } from '../src/index'
import { useHarness } from './harness'
import { expectTRPCError } from './support/core-errors'
import type { CoreCaller } from './support/core-turns'

const h = useHarness()

// PGlite's clock ticks in whole milliseconds: leave a tick between writes whose order matters.
const nextTick = () => new Promise((resolve) => setTimeout(resolve, 2))

/** A conversation of the user with these messages (user, assistant, user, …), written directly. */
async function conversationWith(
  user: { id: string; caller: CoreCaller },
  title: string | null,
  contents: string[],
) {
  const conversation = await user.caller.conversation.create(title === null ? {} : { title })
  // Written directly (a fixed corpus, no model involved); the search triggers index them.
  const inserted = await h.db
    .insertInto('messages')
    .values(
      contents.map((content, i) => ({
        conversationId: conversation.id,
        seq: i + 1,
        role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
        content,
        status: 'completed' as const,
      })),
    )
    .returningAll()
    .execute()
  await h.db
    .updateTable('conversations')
    .set({ lastSeq: contents.length, messageCount: contents.length })
    .where('id', '=', conversation.id)
    .execute()
  const messages = inserted.sort((a, b) => a.seq - b.seq)
  await nextTick()
  return { conversation, messages }
}

/** The fixed corpus of the relevance cases, for a fresh user. */
async function corpus() {
  const user = await h.user()
  const dessert = await conversationWith(user, 'Crème brûlée recipes', [
    'How do I make a crème brûlée at home?',
    'Heat the cream with vanilla, whisk the yolks with sugar, bake in a water bath, then caramelise the sugar on top.',
  ])
  const cluster = await conversationWith(user, 'Kubernetes networking', [
    'Why does my pod lose network access after a restart?',
    'Check the CNI plugin logs. Kubernetes networking depends on the CNI plugin: a crashed plugin leaves pods without network. Restart the plugin DaemonSet on the Kubernetes node.',
  ])
  const trip = await conversationWith(user, 'Trip to Zürich', [
    'Plan a weekend in Zürich with good coffee',
    'Saturday: the old town and the lake. Sunday: coffee near Zurich HB; skip the cream-heavy pastries.',
  ])
  return { user, dessert, cluster, trip }
}

const search = (caller: CoreCaller, query: string, extra: { conversationId?: string } = {}) =>
  caller.search.messages({ query, ...extra })

/** What a hit says, in short: which message (or title) and which field. */
const short = (hit: SearchHit) => `${hit.field}:${hit.messageId}`

describe('search.messages: relevance on a fixed corpus', () => {
  it('every word must match, in any order: a title that is exactly the query, then the answer', async () => {
    const { user, cluster } = await corpus()
    const { items } = await search(user.caller, 'kubernetes netw')
    // The question says "network" but not "kubernetes": it is not a hit.
    expect(items.map(short)).toStrictEqual([
      `title:${cluster.messages[0]?.id}`,
      `content:${cluster.messages[1]?.id}`,
    ])
  })

  it('the message that says it more often, and closer together, ranks higher', async () => {
    const user = await h.user()
    const { messages } = await conversationWith(user, null, [
      'the deploy of the backend failed on friday',
      'deploy failed, then the deploy failed again: a failed deploy',
      'deploy today; the report said something failed',
    ])
    const hits = (await search(user.caller, 'failed deploy')).items
    expect(hits.map((i) => i.messageId)).toStrictEqual([
      messages[1]?.id,
      messages[0]?.id,
      messages[2]?.id,
    ])
  })

  it('is case- and accent-insensitive both ways', async () => {
    const { user, trip, dessert } = await corpus()
    const zurich = (await search(user.caller, 'ZURICH ')).items
    expect(zurich.map(short).sort()).toStrictEqual(
      [
        `title:${trip.messages[0]?.id}`,
        `content:${trip.messages[0]?.id}`,
        `content:${trip.messages[1]?.id}`,
      ].sort(),
    )
    const creme = (await search(user.caller, 'crème BRULEE ')).items
    expect(creme.map(short).sort()).toStrictEqual(
      [`title:${dessert.messages[0]?.id}`, `content:${dessert.messages[0]?.id}`].sort(),
    )
  })

  it('the last word is a prefix (results as the user types), the others are whole words', async () => {
    const { user, dessert } = await corpus()
    expect((await search(user.caller, 'carameli')).items.map((i) => i.messageId)).toStrictEqual([
      dessert.messages[1]?.id,
    ])
    // A trailing space ends the word: "carameli " is a whole word nobody wrote.
    expect((await search(user.caller, 'carameli ')).items).toStrictEqual([])
    // Not the last word: whole words only.
    expect((await search(user.caller, 'carameli sugar')).items).toStrictEqual([])
  })

  it('"quoted words" match as a phrase, in that order', async () => {
    const { user, dessert } = await corpus()
    const hits = (await search(user.caller, '"water bath"')).items
    expect(hits.map((i) => i.messageId)).toStrictEqual([dessert.messages[1]?.id])
    expect((await search(user.caller, '"bath water"')).items).toStrictEqual([])
  })

  it('-word leaves out the messages that contain it', async () => {
    const { user, dessert, trip } = await corpus()
    const cream = (await search(user.caller, 'cream ')).items.map((i) => i.messageId)
    expect(cream.sort()).toStrictEqual([dessert.messages[1]?.id, trip.messages[1]?.id].sort())
    const noVanilla = (await search(user.caller, 'cream -vanilla')).items
    expect(noVanilla.map((i) => i.messageId)).toStrictEqual([trip.messages[1]?.id])
    const noPhrase = (await search(user.caller, 'cream -"water bath"')).items
    expect(noPhrase.map((i) => i.messageId)).toStrictEqual([trip.messages[1]?.id])
  })

  it('a title hit is the title as snippet, on the conversation first message', async () => {
    const { user, cluster } = await corpus()
    const hit = (await search(user.caller, 'kubernetes')).items.find((i) => i.field === 'title')
    const first = cluster.messages[0]
    expect(hit).toStrictEqual({
      conversationId: cluster.conversation.id,
      conversationTitle: 'Kubernetes networking',
      messageId: first?.id,
      seq: 1,
      role: 'user',
      createdAt: first?.createdAt.toISOString(),
      field: 'title',
      snippet: 'Kubernetes networking',
      highlights: [[0, 10]],
    })
  })

  it('equal relevance: the newest first', async () => {
    const user = await h.user()
    const older = await conversationWith(user, null, ['the quarterly report is late'])
    const newer = await conversationWith(user, null, ['the quarterly report is late'])
    const hits = (await search(user.caller, 'quarterly report')).items
    expect(hits.map((i) => i.messageId)).toStrictEqual([
      newer.messages[0]?.id,
      older.messages[0]?.id,
    ])
  })
})

describe('search.messages: snippets', () => {
  it('highlights are UTF-16 ranges of the matching words, accents and emoji included', async () => {
    const user = await h.user()
    await conversationWith(user, null, ['🎉 Ünïcode café: the CAFÉ opens at 8'])
    const [hit] = (await search(user.caller, 'cafe')).items
    expect(hit?.snippet).toBe('🎉 Ünïcode café: the CAFÉ opens at 8')
    const marked = hit?.highlights.map(([s, e]) => hit.snippet.slice(s, e))
    expect(marked).toStrictEqual(['café', 'CAFÉ'])
  })

  it('a long message is cut around its matches, with ellipses, and ranges stay right', async () => {
    const user = await h.user()
    const filler = 'lorem ipsum dolor sit amet '.repeat(40)
    await conversationWith(user, null, [`${filler}the needle is here\n${filler}`])
    const [hit] = (await search(user.caller, 'needle')).items
    expect(hit?.snippet.length).toBeLessThanOrEqual(200)
    expect(hit?.snippet.startsWith('…')).toBe(true)
    expect(hit?.snippet.endsWith('…')).toBe(true)
    expect(hit?.highlights.map(([s, e]) => hit.snippet.slice(s, e))).toStrictEqual(['needle'])
  })
})

describe('search.messages: what it covers', () => {
  it('pages with a keyset cursor: every hit once, in rank order', async () => {
    const user = await h.user()
    const contents = Array.from({ length: 25 }, (_, i) =>
      `page test ${'echo '.repeat(1 + (i % 5))} number ${i}`.trim(),
    )
    await conversationWith(user, null, contents.slice(0, 13))
    await conversationWith(user, null, contents.slice(13))
    const all = await user.caller.search.messages({ query: 'echo', limit: 50 })
    expect(all.items).toHaveLength(25)
    expect(all.nextCursor).toBeNull()
    const paged: SearchHit[] = []
    let cursor: string | null = null
    do {
      const page: { items: SearchHit[]; nextCursor: string | null } =
        await user.caller.search.messages({ query: 'echo', limit: 7, cursor })
      paged.push(...page.items)
      cursor = page.nextCursor
    } while (cursor !== null)
    expect(paged.map(short)).toStrictEqual(all.items.map(short))
  })

  it('conversationId narrows the search to that conversation', async () => {
    const { user, trip } = await corpus()
    const hits = (await search(user.caller, 'cream', { conversationId: trip.conversation.id }))
      .items
    expect(hits.map((i) => i.messageId)).toStrictEqual([trip.messages[1]?.id])
  })

  it('a renamed conversation is found by its new title at once, not its old one', async () => {
    const { user, trip } = await corpus()
    await user.caller.conversation.update({ id: trip.conversation.id, title: 'Alpine holiday' })
    expect((await search(user.caller, 'alpine')).items.map(short)).toStrictEqual([
      `title:${trip.messages[0]?.id}`,
    ])
    const old = (await search(user.caller, 'trip')).items
    expect(old).toStrictEqual([])
  })

  it('answers kept out of the history (regenerated) are found too; deleted ones are gone', async () => {
    const { user, dessert } = await corpus()
    const answer = dessert.messages[1]
    await h.db
      .updateTable('messages')
      .set({ hidden: true })
      .where('id', '=', answer?.id ?? '')
      .execute()
    expect((await search(user.caller, 'yolks')).items.map((i) => i.messageId)).toStrictEqual([
      answer?.id,
    ])
    await user.caller.conversation.delete({ id: dessert.conversation.id })
    expect((await search(user.caller, 'yolks')).items).toStrictEqual([])
  })

  it('a live answer is searchable as of its last checkpoint', async () => {
    const user = await h.user()
    // fake/stall streams a few lorem words, then hangs: only a checkpoint can save them.
    const sent = await user.caller.chat.send({
      clientMessageId: crypto.randomUUID(),
      content: 'tell me something',
      model: 'fake/stall:after=3',
    })
    const answerId = sent.assistantMessage.id
    let saved = ''
    while (saved === '') {
      const row = await h.db
        .selectFrom('messages')
        .select('content')
        .where('id', '=', answerId)
        .executeTakeFirstOrThrow()
      saved = row.content
      if (saved === '') await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const word =
      saved
        .trim()
        .split(/\s+/)[0]
        ?.replace(/[^\p{L}]/gu, '') ?? ''
    const hits = (await search(user.caller, `${word} `)).items
    expect(hits.map((i) => i.messageId)).toContain(answerId)
    expect(hits.find((i) => i.messageId === answerId)?.role).toBe('assistant')
    await user.caller.chat.stop({ messageId: answerId })
  })
})

describe('search.messages: isolation', () => {
  it("another user's messages and titles never appear", async () => {
    await corpus()
    const other = await h.user()
    await conversationWith(other, 'My own kubernetes notes', ['nothing about the others'])
    const hits = (await search(other.caller, 'kubernetes')).items
    expect(hits.map((i) => i.field)).toStrictEqual(['title'])
    expect(hits[0]?.conversationTitle).toBe('My own kubernetes notes')
    expect((await search(other.caller, 'zurich')).items).toStrictEqual([])
  })

  it("another user's conversationId is NOT_FOUND, like an unknown one", async () => {
    const { cluster } = await corpus()
    const other = await h.user()
    await expectTRPCError(
      search(other.caller, 'kubernetes', { conversationId: cluster.conversation.id }),
      'NOT_FOUND',
      'Conversation not found',
    )
    await expectTRPCError(
      search(other.caller, 'kubernetes', { conversationId: crypto.randomUUID() }),
      'NOT_FOUND',
    )
  })

  it('needs a token', async () => {
    await expectTRPCError(h.anonymous().search.messages({ query: 'x' }), 'UNAUTHORIZED')
  })
})

describe('search.messages: bad queries are clean errors or nothing, never a 500', () => {
  it('only punctuation: nothing', async () => {
    const { user } = await corpus()
    for (const query of ['?!', '...', '"', '""', ' - ', '(*)', "'", ':*', '&|!<->']) {
      expect(await user.caller.search.messages({ query })).toStrictEqual({
        items: [],
        nextCursor: null,
      })
    }
  })

  it('tsquery syntax in words is just text', async () => {
    const { user, dessert } = await corpus()
    for (const query of [
      'sugar & (vanilla | !yolks):*',
      "sugar'",
      'sugar\\',
      'sugar:*',
      'sugar <->',
    ]) {
      const hits = (await user.caller.search.messages({ query })).items
      expect(hits.map((i) => i.messageId)).toStrictEqual([dessert.messages[1]?.id])
    }
  })

  it('an unclosed quote is a phrase to the end', async () => {
    const { user, dessert } = await corpus()
    expect((await search(user.caller, '"water bath')).items.map((i) => i.messageId)).toStrictEqual([
      dessert.messages[1]?.id,
    ])
    expect((await search(user.caller, 'cream "water bat')).items).toStrictEqual([])
  })

  it('only exclusions, 201 characters, an empty query, \\u0000, a forged cursor: BAD_REQUEST', async () => {
    const { user } = await corpus()
    await expectTRPCError(search(user.caller, '-cream -"water bath"'), 'BAD_REQUEST', 'query')
    await expectTRPCError(search(user.caller, 'a'.repeat(201)), 'BAD_REQUEST', 'query', '200')
    await expectTRPCError(search(user.caller, ''), 'BAD_REQUEST', 'query')
    await expectTRPCError(search(user.caller, 'cream\u0000'), 'BAD_REQUEST', 'query')
    await expectTRPCError(
      user.caller.search.messages({ query: 'cream', cursor: 'bm90IGEgY3Vyc29y' }),
      'BAD_REQUEST',
      'cursor',
    )
    await expectTRPCError(
      user.caller.search.messages({ query: 'cream', limit: 51 }),
      'BAD_REQUEST',
      'limit',
    )
    // 200 characters is fine.
    expect((await search(user.caller, 'a'.repeat(200))).items).toStrictEqual([])
  })
})
