import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { useHarness } from './harness'
import { snapshotAll } from './support/core-db'
import { expectTRPCError } from './support/core-errors'
import { sendAndFinish } from './support/core-turns'

const h = useHarness()

type Json = Record<string, unknown>

async function fixture(name: string): Promise<Json> {
  const url = new URL(`./fixtures/chatgpt/${name}.json`, import.meta.url)
  return JSON.parse(await readFile(url, 'utf8')) as Json
}

/** The object at `keys` inside a parsed fixture (to spoil it). */
function at(data: Json, ...keys: string[]): Json {
  let here: unknown = data
  for (const key of keys) here = (here as Json)[key]
  return here as Json
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString()

describe('conversation.import chatgpt', () => {
  it('a linear chat: hidden system node skipped, times and model kept', async () => {
    const { caller } = await h.user()
    const result = await caller.conversation.import({
      format: 'chatgpt',
      data: await fixture('linear'),
    })
    expect(result).toMatchObject({ messageCount: 2, skipped: 1, duplicate: false })
    expect(result.conversation).toMatchObject({
      title: 'Sourdough starter help',
      currentModel: 'openai/gpt-4o',
      messageCount: 2,
      createdAt: iso(1717000000.123),
      lastMessageAt: iso(1717000004.25),
      preview: 'My starter smells like nail polish. Is it dead?',
    })
    const { items } = await caller.message.list({ conversationId: result.conversation.id })
    expect(items.map((m) => [m.role, m.model, m.createdAt, m.status])).toStrictEqual([
      ['user', null, iso(1717000001.5), 'completed'],
      ['assistant', 'openai/gpt-4o', iso(1717000004.25), 'completed'],
    ])
    expect(items[1]?.content).toContain('```text\n50 g starter\n50 g flour\n50 g water\n```')
    expect(items[1]?.parentId).toBe(items[0]?.id)
  })

  it('the mapping tree becomes branches and current_node the active leaf', async () => {
    const { caller } = await h.user()
    const result = await caller.conversation.import({
      format: 'chatgpt',
      data: await fixture('branched'),
    })
    expect(result).toMatchObject({ messageCount: 8, skipped: 0, duplicate: false })
    expect(result.conversation.messageCount).toBe(4)
    const { items } = await caller.message.list({ conversationId: result.conversation.id })
    expect(items.map((m) => [m.content.split('\n')[0], m.branch])).toStrictEqual([
      ['Write a haiku about autumn.', { index: 1, count: 1 }],
      ['Crisp air, amber path —', { index: 2, count: 2 }],
      ['Make it rhyme, please, and keep the squirrel.', { index: 2, count: 2 }],
      ['A squirrel in the golden light', { index: 1, count: 1 }],
    ])
    expect(result.conversation.leafMessageId).toBe(items[3]?.id)
    // The other branch is there: select the first answer and its follow-up shows.
    const first = await h.db
      .selectFrom('messages')
      .select('id')
      .where('conversationId', '=', result.conversation.id)
      .where('content', 'like', 'Leaves let go%')
      .executeTakeFirstOrThrow()
    await caller.conversation.selectBranch({
      conversationId: result.conversation.id,
      messageId: first.id,
    })
    const other = await caller.message.list({ conversationId: result.conversation.id })
    expect(other.items.map((m) => m.content.split('\n')[0])).toStrictEqual([
      'Write a haiku about autumn.',
      'Leaves let go of light,',
      'Nice. Now one about winter.',
    ])
  })

  it('tool calls, tool output, thoughts, hidden context and image parts are skipped and counted', async () => {
    const { caller } = await h.user()
    const result = await caller.conversation.import({
      format: 'chatgpt',
      data: await fixture('tools-and-images'),
    })
    expect(result).toMatchObject({ messageCount: 2, skipped: 5, duplicate: false })
    const { items } = await caller.message.list({ conversationId: result.conversation.id })
    expect(items.map((m) => [m.role, m.content.slice(0, 20), m.model])).toStrictEqual([
      ['user', 'Here is a screenshot', null],
      ['assistant', 'Here is the plot. Yo', 'openai/o3'],
    ])
    expect(items[1]?.parentId).toBe(items[0]?.id)
    expect(result.conversation.currentModel).toBe('openai/o3')
  })

  it('the same source twice: the first import comes back (duplicate), per user', async () => {
    const { caller } = await h.user()
    const data = await fixture('branched')
    const first = await caller.conversation.import({ format: 'chatgpt', data })
    const before = await snapshotAll(h.db)
    const again = await caller.conversation.import({ format: 'chatgpt', data })
    expect(again).toStrictEqual({ ...first, duplicate: true })
    expect(await snapshotAll(h.db)).toStrictEqual(before)
    const other = await h.user()
    const theirs = await other.caller.conversation.import({ format: 'chatgpt', data })
    expect(theirs.duplicate).toBe(false)
    expect(theirs.conversation.id).not.toBe(first.conversation.id)
  })

  it('after the imported conversation is deleted, the source imports afresh', async () => {
    const { caller } = await h.user()
    const data = await fixture('linear')
    const first = await caller.conversation.import({ format: 'chatgpt', data })
    await caller.conversation.delete({ id: first.conversation.id })
    const again = await caller.conversation.import({ format: 'chatgpt', data })
    expect(again.duplicate).toBe(false)
  })

  const malformed: Array<[string, (d: Json) => void, string]> = [
    ['an unknown parent', (d) => (at(d, 'mapping', 'a3').parent = 'nope'), 'mapping.a3.parent'],
    [
      'an unknown child',
      (d) => (at(d, 'mapping', 'u1').children = ['a1', 'a1b', 'ghost']),
      'mapping.u1.children.2',
    ],
    [
      'a role of the wrong type',
      (d) => (at(d, 'mapping', 'u2', 'message', 'author').role = 7),
      'mapping.u2.message.author.role',
    ],
    ['a cycle', (d) => (at(d, 'mapping', 'root').parent = 'a4'), 'forms a cycle'],
    ['an unknown current_node', (d) => (d.current_node = 'zzz'), 'current_node'],
    ['no mapping', (d) => delete d.mapping, 'mapping'],
    [
      'no conversation id',
      (d) => {
        delete d.conversation_id
        delete d.id
      },
      'conversation_id',
    ],
    [
      'a NUL in a part',
      (d) => (at(d, 'mapping', 'a4', 'message', 'content').parts = ['a\u0000b']),
      'mapping.a4.message.content.parts.0',
    ],
    [
      'a time that is not a number',
      (d) => (at(d, 'mapping', 'u1', 'message').create_time = 'yesterday'),
      'mapping.u1.message.create_time',
    ],
  ]
  for (const [what, spoil, path] of malformed) {
    it(`malformed (${what}): BAD_REQUEST naming ${path}, nothing written`, async () => {
      const { caller } = await h.user()
      const data = await fixture('branched')
      spoil(data)
      await caller.user.me()
      const before = await snapshotAll(h.db)
      await expectTRPCError(
        caller.conversation.import({ format: 'chatgpt', data }),
        'BAD_REQUEST',
        path,
      )
      expect(await snapshotAll(h.db)).toStrictEqual(before)
    })
  }

  it('data that is not an object at all: BAD_REQUEST', async () => {
    const { caller } = await h.user()
    await expectTRPCError(
      caller.conversation.import({ format: 'chatgpt', data: [1, 2] }),
      'BAD_REQUEST',
      'data',
    )
  })
})

describe('conversation.export', () => {
  it('markdown: the active path, readable, code blocks intact (an open fence is closed)', async () => {
    const { caller } = await h.user()
    const imported = await caller.conversation.import({
      format: 'chatgpt',
      data: await fixture('branched'),
    })
    const file = await caller.conversation.export({
      id: imported.conversation.id,
      format: 'markdown',
    })
    expect(file.filename).toBe('haiku-about-autumn.md')
    expect(file.mimeType).toMatch(/^text\/markdown/)
    expect(file.content).toContain('# Haiku about autumn\n')
    expect(file.content).toContain('## You\n\nWrite a haiku about autumn.\n')
    expect(file.content).toContain('## Assistant (openai/gpt-4o)\n\nCrisp air, amber path —')
    expect(file.content).not.toContain('Leaves let go') // another branch

    const sent = await sendAndFinish(caller, { content: 'print it:\n```js\nconsole.log(1)' })
    const md = await caller.conversation.export({ id: sent.conversation.id, format: 'markdown' })
    expect(md.content).toContain('## You\n\nprint it:\n```js\nconsole.log(1)\n```\n')
  })

  it('json: the t3chat v1 document with every branch, system prompt, models, usage and times', async () => {
    const { caller } = await h.user()
    const conversation = await caller.conversation.create({
      title: 'Exported',
      systemPrompt: 'Be brief.',
    })
    const turn = await sendAndFinish(caller, { conversationId: conversation.id, content: 'hello' })
    const file = await caller.conversation.export({ id: conversation.id, format: 'json' })
    expect(file).toMatchObject({ filename: 'exported.t3chat.json', mimeType: 'application/json' })
    const doc = JSON.parse(file.content) as Record<string, unknown>
    expect(doc).toMatchObject({
      format: 't3chat',
      version: 1,
      conversation: {
        id: conversation.id,
        title: 'Exported',
        systemPrompt: 'Be brief.',
        currentModel: 'fake/echo',
        leafMessageId: turn.answer.id,
      },
      messages: [
        { id: turn.userMessage.id, parentId: null, role: 'user', content: 'hello' },
        {
          id: turn.answer.id,
          parentId: turn.userMessage.id,
          role: 'assistant',
          model: 'fake/echo',
          status: 'completed',
          usage: turn.answer.usage,
          createdAt: turn.answer.createdAt,
          completedAt: turn.answer.completedAt,
        },
      ],
    })
  })

  it("another user's conversation: NOT_FOUND", async () => {
    const owner = await h.user()
    const conversation = await owner.caller.conversation.create({})
    const stranger = await h.user()
    await expectTRPCError(
      stranger.caller.conversation.export({ id: conversation.id, format: 'json' }),
      'NOT_FOUND',
      'Conversation not found',
    )
  })
})
