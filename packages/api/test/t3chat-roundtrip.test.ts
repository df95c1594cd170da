import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useHarness } from './harness'
import { snapshotAll } from './support/core-db'
import { expectTRPCError } from './support/core-errors'
import { finalMessage, sendAndFinish, type CoreCaller } from './support/core-turns'
import { seededRandom } from './support/engine'

const h = useHarness()

interface Doc {
  format: 't3chat'
  version: 1
  conversation: {
    id: string
    title: string | null
    systemPrompt: string | null
    currentModel: string
    pinned: boolean
    createdAt: string
    updatedAt: string
    leafMessageId: string | null
  }
  messages: Array<{
    id: string
    parentId: string | null
    role: 'user' | 'assistant'
    content: string
    model: string | null
    status: 'completed' | 'error' | 'cancelled'
    error: { code: string; message: string } | null
    usage: { promptTokens: number; completionTokens: number; cost: number | null } | null
    createdAt: string
    completedAt: string | null
  }>
}

/** The tree without its ids: each message's parent and the leaf as positions. */
function shape(doc: Doc) {
  const index = new Map(doc.messages.map((m, i) => [m.id, i]))
  const { id: _id, updatedAt: _updated, leafMessageId, ...conversation } = doc.conversation
  return {
    conversation,
    leaf: leafMessageId === null ? null : index.get(leafMessageId),
    messages: doc.messages.map(({ id: _mid, parentId, ...m }) => ({
      ...m,
      parent: parentId === null ? null : index.get(parentId),
    })),
  }
}

function msg(doc: Doc, i: number): Doc['messages'][number] {
  const m = doc.messages[i]
  if (m === undefined) throw new Error(`no message ${i}`)
  return m
}

async function exportJson(caller: CoreCaller, id: string): Promise<Doc> {
  const file = await caller.conversation.export({ id, format: 'json' })
  return JSON.parse(file.content) as Doc
}

const WORDS = [
  'alpha',
  'ß',
  'naïve',
  '日本語',
  '🙂',
  '```js\nconst x = 1\n```',
  '\n',
  '  ',
  '"q"',
  '\\',
]

/** A random tree of up to 24 messages (parents earlier), with every field varied. */
function randomDoc(seed: number): Doc {
  const rand = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ')
  // A cost keeps where it came from; no cost, no source.
  const usageOf = (cost: number | null) => ({
    promptTokens: Math.floor(rand() * 5000),
    completionTokens: Math.floor(rand() * 5000),
    cost,
    costSource: cost === null ? null : pick(['provider', 'estimated'] as const),
  })
  const n = Math.floor(rand() * 25)
  let at = Date.UTC(2025, 0, 1) + Math.floor(rand() * 1e9)
  const messages: Doc['messages'] = []
  for (let i = 0; i < n; i++) {
    at += 1 + Math.floor(rand() * 100_000)
    const status = pick(['completed', 'completed', 'error', 'cancelled'] as const)
    const role = rand() < 0.5 ? 'user' : 'assistant'
    messages.push({
      id: randomUUID(),
      parentId: i === 0 || rand() < 0.05 ? null : (messages[Math.floor(rand() * i)]?.id ?? null),
      role,
      content: words(Math.floor(rand() * 12)),
      model: rand() < 0.3 ? null : pick(['fake/echo', 'openai/gpt-4o', 'anthropic/claude-3.5']),
      status,
      error: status === 'error' ? { code: pick(['timeout', 'unknown']), message: words(3) } : null,
      usage: rand() < 0.4 ? null : usageOf(rand() < 0.3 ? null : rand() / 7),
      createdAt: new Date(at).toISOString(),
      completedAt: rand() < 0.3 ? null : new Date(at + 1234).toISOString(),
    })
  }
  return {
    format: 't3chat',
    version: 1,
    conversation: {
      id: randomUUID(),
      title: rand() < 0.2 ? null : words(3).trim().slice(0, 200) || 'x',
      systemPrompt: rand() < 0.5 ? null : words(5),
      currentModel: pick(['fake/echo', 'openai/gpt-4o']),
      pinned: rand() < 0.3,
      createdAt: new Date(Date.UTC(2024, 11, 1) + Math.floor(rand() * 1e9)).toISOString(),
      updatedAt: new Date().toISOString(),
      leafMessageId: n === 0 ? null : (messages[Math.floor(rand() * n)]?.id ?? null),
    },
    messages,
  }
}

describe('t3chat json: export → import reproduces the tree', () => {
  it('on 40 generated trees (seeded): the same tree, fields and active path', async () => {
    const { caller } = await h.user()
    for (let seed = 1; seed <= 40; seed++) {
      const doc = randomDoc(seed)
      const imported = await caller.conversation.import({ format: 't3chat', data: doc })
      expect(imported.messageCount, `seed ${seed}`).toBe(doc.messages.length)
      const back = await exportJson(caller, imported.conversation.id)
      expect(shape(back), `seed ${seed}`).toStrictEqual(shape(doc))
      // The active path is the leaf's ancestry.
      const path = await caller.message.list({
        conversationId: imported.conversation.id,
        limit: 200,
      })
      const byId = new Map(doc.messages.map((m) => [m.id, m]))
      const expected: string[] = []
      for (
        let m = byId.get(doc.conversation.leafMessageId ?? '');
        m;
        m = byId.get(m.parentId ?? '')
      )
        expected.unshift(m.content)
      expect(
        path.items.map((m) => m.content),
        `seed ${seed}`,
      ).toStrictEqual(expected)
    }
  })

  it('a real conversation with regenerated branches; a second import of the same export is a duplicate', async () => {
    const { caller } = await h.user()
    const conversation = await caller.conversation.create({
      title: 'Round trip',
      systemPrompt: 'Terse.',
    })
    const first = await sendAndFinish(caller, { conversationId: conversation.id, content: 'one' })
    await sendAndFinish(caller, { conversationId: conversation.id, content: 'two' })
    const regen = await caller.chat.regenerate({
      conversationId: conversation.id,
      clientMessageId: randomUUID(),
      model: 'fake/lorem',
    })
    await finalMessage(caller, regen.assistantMessage.id)
    await caller.conversation.selectBranch({
      conversationId: conversation.id,
      messageId: first.answer.id,
    })
    const original = await exportJson(caller, conversation.id)
    expect(original.messages).toHaveLength(5)

    const copy = await caller.conversation.import({ format: 't3chat', data: original })
    expect(copy).toMatchObject({ messageCount: 5, skipped: 0, duplicate: false })
    expect(copy.conversation.id).not.toBe(conversation.id)
    expect(shape(await exportJson(caller, copy.conversation.id))).toStrictEqual(shape(original))
    expect(copy.conversation.messageCount).toBe(
      (await caller.conversation.get({ id: conversation.id })).messageCount,
    )

    const again = await caller.conversation.import({ format: 't3chat', data: original })
    expect(again).toMatchObject({ duplicate: true, conversation: { id: copy.conversation.id } })
    // The copy's own export is another source: a new copy.
    const copyOfCopy = await caller.conversation.import({
      format: 't3chat',
      data: await exportJson(caller, copy.conversation.id),
    })
    expect(copyOfCopy.duplicate).toBe(false)
  })

  const malformed: Array<[string, (d: Doc) => void, string]> = [
    [
      'a parent that comes later',
      (d) => (d.messages[0] = { ...msg(d, 0), parentId: msg(d, 2).id }),
      'messages.0.parentId',
    ],
    ['an id twice', (d) => (d.messages[2] = { ...msg(d, 2), id: msg(d, 1).id }), 'messages.2.id'],
    [
      'an unknown leaf',
      (d) => (d.conversation.leafMessageId = 'nope'),
      'conversation.leafMessageId',
    ],
    [
      'an error without status error',
      (d) =>
        (d.messages[1] = {
          ...msg(d, 1),
          status: 'completed',
          error: { code: 'x', message: 'y' },
        }),
      'messages.1.error',
    ],
    [
      'a bad time',
      (d) => (d.messages[1] = { ...msg(d, 1), createdAt: 'noon' }),
      'messages.1.createdAt',
    ],
    ['another version', (d) => ((d as { version: number }).version = 2), 'version'],
  ]
  for (const [what, spoil, path] of malformed) {
    it(`malformed (${what}): BAD_REQUEST naming ${path}, nothing written`, async () => {
      const { caller } = await h.user()
      await caller.user.me()
      const doc = randomDoc(1000)
      while (doc.messages.length < 3) doc.messages.push(...randomDoc(1001).messages.slice(0, 3))
      doc.messages = doc.messages.map((m) => ({ ...m, parentId: null }))
      doc.conversation.leafMessageId = msg(doc, 0).id
      spoil(doc)
      const before = await snapshotAll(h.db)
      await expectTRPCError(
        caller.conversation.import({ format: 't3chat', data: doc }),
        'BAD_REQUEST',
        path,
      )
      expect(await snapshotAll(h.db)).toStrictEqual(before)
    })
  }
})
