import { randomUUID } from 'node:crypto'
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'
import { countRows, snapshotAll } from './support/core-db'
import { expectTRPCError, invalid } from './support/core-errors'
import { sendAndFinish, type CoreCaller } from './support/core-turns'

let h: Harness
let caller: CoreCaller
/** A conversation of the caller's with one finished turn, and its answer. */
const own = { conversationId: '', answerId: '' }

beforeAll(async () => {
  h = await startHarness()
  ;({ caller } = await h.user())
  await caller.user.update({ displayName: 'Before', preferences: { theme: 'light' } })
  const turn = await sendAndFinish(caller, { content: 'hello' })
  own.conversationId = turn.conversation.id
  own.answerId = turn.answer.id
  await h.deps.runner.idle()
})
afterAll(async () => {
  await h.close()
})

const long = (n: number) => 'x'.repeat(n)
const bigPreferences = { blob: long(16 * 1024) }
const notACursor = Buffer.from(JSON.stringify({ hello: 'world' })).toString('base64url')

interface Case {
  name: string
  call: (c: CoreCaller) => Promise<unknown>
  code: TRPC_ERROR_CODE_KEY
  /** Texts the error message must contain: the field, and where useful the way out. */
  mentions: string[]
}

const tooLarge = 'PAYLOAD_TOO_LARGE'
const bad = 'BAD_REQUEST'

const cases: Case[] = [
  // user.update
  {
    name: 'user.update displayName > 100',
    call: (c) => c.user.update({ displayName: long(101) }),
    code: tooLarge,
    mentions: ['displayName'],
  },
  {
    name: 'user.update displayName not a string',
    call: (c) => c.user.update({ displayName: invalid(7) }),
    code: bad,
    mentions: ['displayName'],
  },
  {
    name: 'user.update preferences > 16 KiB',
    call: (c) => c.user.update({ preferences: bigPreferences }),
    code: tooLarge,
    mentions: ['preferences', '16384'],
  },
  {
    name: 'user.update preferences an array',
    call: (c) => c.user.update({ preferences: invalid([1, 2]) }),
    code: bad,
    mentions: ['preferences'],
  },
  {
    name: 'user.update preferences a string',
    call: (c) => c.user.update({ preferences: invalid('dark') }),
    code: bad,
    mentions: ['preferences'],
  },
  {
    name: 'user.update defaultModel malformed',
    call: (c) => c.user.update({ defaultModel: 'gpt 4' }),
    code: bad,
    mentions: ['defaultModel'],
  },
  {
    name: 'user.update defaultModel unknown',
    call: (c) => c.user.update({ defaultModel: 'vendor/unknown-model' }),
    code: bad,
    mentions: ['defaultModel', 'model.list'],
  },
  {
    name: 'user.update valid name + oversized preferences changes nothing',
    call: (c) => c.user.update({ displayName: 'After', preferences: bigPreferences }),
    code: tooLarge,
    mentions: ['preferences'],
  },
  {
    name: 'user.update valid name + unknown model changes nothing',
    call: (c) => c.user.update({ displayName: 'After', defaultModel: 'vendor/unknown-model' }),
    code: bad,
    mentions: ['model.list'],
  },

  // conversation.create
  {
    name: 'conversation.create empty title',
    call: (c) => c.conversation.create({ title: '' }),
    code: bad,
    mentions: ['title'],
  },
  {
    name: 'conversation.create blank title',
    call: (c) => c.conversation.create({ title: '   ' }),
    code: bad,
    mentions: ['title'],
  },
  {
    name: 'conversation.create title > 200',
    call: (c) => c.conversation.create({ title: long(201) }),
    code: tooLarge,
    mentions: ['title'],
  },
  {
    name: 'conversation.create title not a string',
    call: (c) => c.conversation.create({ title: invalid(42) }),
    code: bad,
    mentions: ['title'],
  },
  {
    name: 'conversation.create systemPrompt > 20,000',
    call: (c) => c.conversation.create({ systemPrompt: long(20_001) }),
    code: tooLarge,
    mentions: ['systemPrompt'],
  },
  {
    name: 'conversation.create model malformed',
    call: (c) => c.conversation.create({ model: 'gpt' }),
    code: bad,
    mentions: ['model'],
  },
  {
    name: 'conversation.create model unknown',
    call: (c) => c.conversation.create({ model: 'vendor/unknown-model' }),
    code: bad,
    mentions: ['model', 'model.list'],
  },

  // conversation.list
  {
    name: 'conversation.list limit 0',
    call: (c) => c.conversation.list({ limit: 0 }),
    code: bad,
    mentions: ['limit'],
  },
  {
    name: 'conversation.list limit 101',
    call: (c) => c.conversation.list({ limit: 101 }),
    code: bad,
    mentions: ['limit'],
  },
  {
    name: 'conversation.list limit 2.5',
    call: (c) => c.conversation.list({ limit: 2.5 }),
    code: bad,
    mentions: ['limit'],
  },
  {
    name: 'conversation.list limit a string',
    call: (c) => c.conversation.list({ limit: invalid('10') }),
    code: bad,
    mentions: ['limit'],
  },
  {
    name: 'conversation.list cursor garbage',
    call: (c) => c.conversation.list({ cursor: 'garbage!' }),
    code: bad,
    mentions: ['cursor'],
  },
  {
    name: 'conversation.list cursor of the wrong shape',
    call: (c) => c.conversation.list({ cursor: notACursor }),
    code: bad,
    mentions: ['cursor'],
  },
  {
    name: 'conversation.list cursor not a string',
    call: (c) => c.conversation.list({ cursor: invalid(12) }),
    code: bad,
    mentions: ['cursor'],
  },

  // conversation.get / update / delete
  {
    name: 'conversation.get id not a UUID',
    call: (c) => c.conversation.get({ id: 'abc' }),
    code: bad,
    mentions: ['id'],
  },
  {
    name: 'conversation.get id missing',
    call: (c) => c.conversation.get(invalid({})),
    code: bad,
    mentions: ['id'],
  },
  {
    name: 'conversation.get no input',
    call: (c) => c.conversation.get(invalid(undefined)),
    code: bad,
    mentions: ['input'],
  },
  {
    name: 'conversation.update id not a UUID',
    call: (c) => c.conversation.update({ id: 'abc', title: 'x' }),
    code: bad,
    mentions: ['id'],
  },
  {
    name: 'conversation.update title > 200',
    call: (c) => c.conversation.update({ id: own.conversationId, title: long(201) }),
    code: tooLarge,
    mentions: ['title'],
  },
  {
    name: 'conversation.update empty title',
    call: (c) => c.conversation.update({ id: own.conversationId, title: '' }),
    code: bad,
    mentions: ['title'],
  },
  {
    name: 'conversation.update systemPrompt > 20,000',
    call: (c) => c.conversation.update({ id: own.conversationId, systemPrompt: long(20_001) }),
    code: tooLarge,
    mentions: ['systemPrompt'],
  },
  {
    name: 'conversation.update model unknown (with a valid pin)',
    call: (c) =>
      c.conversation.update({
        id: own.conversationId,
        pinned: true,
        model: 'vendor/unknown-model',
      }),
    code: bad,
    mentions: ['model', 'model.list'],
  },
  {
    name: 'conversation.update pinned not a boolean',
    call: (c) => c.conversation.update({ id: own.conversationId, pinned: invalid('yes') }),
    code: bad,
    mentions: ['pinned'],
  },
  {
    name: 'conversation.delete id not a UUID',
    call: (c) => c.conversation.delete({ id: 'abc' }),
    code: bad,
    mentions: ['id'],
  },

  // message.list
  {
    name: 'message.list conversationId not a UUID',
    call: (c) => c.message.list({ conversationId: 'abc' }),
    code: bad,
    mentions: ['conversationId'],
  },
  {
    name: 'message.list limit 0',
    call: (c) => c.message.list({ conversationId: own.conversationId, limit: 0 }),
    code: bad,
    mentions: ['limit'],
  },
  {
    name: 'message.list limit 201',
    call: (c) => c.message.list({ conversationId: own.conversationId, limit: 201 }),
    code: bad,
    mentions: ['limit'],
  },
  {
    name: 'message.list before 0',
    call: (c) => c.message.list({ conversationId: own.conversationId, before: 0 }),
    code: bad,
    mentions: ['before'],
  },
  {
    name: 'message.list before 1.5',
    call: (c) => c.message.list({ conversationId: own.conversationId, before: 1.5 }),
    code: bad,
    mentions: ['before'],
  },

  // chat.*
  {
    name: 'chat.send clientMessageId not a UUID',
    call: (c) => c.chat.send({ clientMessageId: 'abc', content: 'hi' }),
    code: bad,
    mentions: ['clientMessageId'],
  },
  {
    name: 'chat.send empty content',
    call: (c) => c.chat.send({ clientMessageId: randomUUID(), content: '' }),
    code: bad,
    mentions: ['content'],
  },
  {
    name: 'chat.send blank content',
    call: (c) => c.chat.send({ clientMessageId: randomUUID(), content: ' \n\t ' }),
    code: bad,
    mentions: ['content'],
  },
  {
    name: 'chat.send content > 100,000',
    call: (c) => c.chat.send({ clientMessageId: randomUUID(), content: long(100_001) }),
    code: tooLarge,
    mentions: ['content'],
  },
  {
    name: 'chat.send conversationId not a UUID',
    call: (c) =>
      c.chat.send({ conversationId: 'abc', clientMessageId: randomUUID(), content: 'hi' }),
    code: bad,
    mentions: ['conversationId'],
  },
  {
    name: 'chat.send model unknown',
    call: (c) =>
      c.chat.send({
        conversationId: own.conversationId,
        clientMessageId: randomUUID(),
        content: 'hi',
        model: 'vendor/unknown-model',
      }),
    code: bad,
    mentions: ['model', 'model.list'],
  },
  {
    name: 'chat.send systemPrompt > 20,000',
    call: (c) =>
      c.chat.send({ clientMessageId: randomUUID(), content: 'hi', systemPrompt: long(20_001) }),
    code: tooLarge,
    mentions: ['systemPrompt'],
  },
  {
    name: 'chat.stream messageId not a UUID',
    call: (c) => c.chat.stream({ messageId: 'abc' }),
    code: bad,
    mentions: ['messageId'],
  },
  {
    name: 'chat.stream lastEventId > 100',
    call: (c) => c.chat.stream({ messageId: own.answerId, lastEventId: long(101) }),
    code: tooLarge,
    mentions: ['lastEventId'],
  },
  {
    name: 'chat.stop messageId not a UUID',
    call: (c) => c.chat.stop({ messageId: 'abc' }),
    code: bad,
    mentions: ['messageId'],
  },
  {
    name: 'chat.regenerate conversationId not a UUID',
    call: (c) => c.chat.regenerate({ conversationId: 'abc', clientMessageId: randomUUID() }),
    code: bad,
    mentions: ['conversationId'],
  },
  {
    name: 'chat.regenerate clientMessageId not a UUID',
    call: (c) => c.chat.regenerate({ conversationId: own.conversationId, clientMessageId: 'abc' }),
    code: bad,
    mentions: ['clientMessageId'],
  },
  {
    name: 'chat.regenerate model unknown',
    call: (c) =>
      c.chat.regenerate({
        conversationId: own.conversationId,
        clientMessageId: randomUUID(),
        model: 'vendor/unknown-model',
      }),
    code: bad,
    mentions: ['model', 'model.list'],
  },
  // Text the database cannot store (regression: NUL was a 500), and integers past the column.
  ...(
    [
      ['user.update displayName', (c, v) => c.user.update({ displayName: v }), 'displayName'],
      [
        'user.update preferences value',
        (c, v) => c.user.update({ preferences: { a: { b: v } } }),
        'a.b',
      ],
      [
        'user.update preferences key',
        (c, v) => c.user.update({ preferences: { [v]: 1 } }),
        'a key',
      ],
      ['conversation.create title', (c, v) => c.conversation.create({ title: v }), 'title'],
      [
        'conversation.create systemPrompt',
        (c, v) => c.conversation.create({ systemPrompt: v }),
        'systemPrompt',
      ],
      [
        'conversation.update title',
        (c, v) => c.conversation.update({ id: own.conversationId, title: v }),
        'title',
      ],
      [
        'chat.send content',
        (c, v) =>
          c.chat.send({
            conversationId: own.conversationId,
            clientMessageId: randomUUID(),
            content: v,
          }),
        'content',
      ],
      [
        'chat.send systemPrompt',
        (c, v) => c.chat.send({ clientMessageId: randomUUID(), content: 'hi', systemPrompt: v }),
        'systemPrompt',
      ],
    ] as const satisfies ReadonlyArray<
      readonly [string, (c: CoreCaller, v: string) => Promise<unknown>, string]
    >
  ).flatMap(([name, call, field]): Case[] => [
    {
      name: `${name} with \\u0000`,
      call: (c) => call(c, 'a\u0000b'),
      code: bad,
      mentions: [field, 'NUL'],
    },
    {
      name: `${name} with a lone surrogate`,
      call: (c) => call(c, 'a\ud800b'),
      code: bad,
      mentions: [field, 'lone surrogate'],
    },
  ]),
  {
    name: 'message.list before 2^31',
    call: (c) => c.message.list({ conversationId: own.conversationId, before: 2 ** 31 }),
    code: bad,
    mentions: ['before', '2147483647'],
  },
  {
    name: 'message.list before 1e300',
    call: (c) => c.message.list({ conversationId: own.conversationId, before: 1e300 }),
    code: bad,
    mentions: ['before'],
  },
  {
    name: 'chat.send model with a space',
    call: (c) => c.chat.send({ clientMessageId: randomUUID(), content: 'hi', model: 'gpt 4' }),
    code: bad,
    mentions: ['model'],
  },
  {
    name: 'events lastEventId > 100',
    call: (c) => c.events({ lastEventId: long(101) }),
    code: tooLarge,
    mentions: ['lastEventId'],
  },
]

describe('invalid input: a clear error naming the field, and nothing changes', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const before = await snapshotAll(h.db)
      const upstreamCalls = h.fake.requests.length
      const error = await expectTRPCError(c.call(caller), c.code, ...c.mentions)
      // The message is for people: no zod dump, no stack.
      expect(error.message).not.toMatch(/ZodError|\n\s+at /)
      await h.deps.runner.idle()
      expect(await snapshotAll(h.db)).toStrictEqual(before)
      expect(h.fake.requests.length).toBe(upstreamCalls)
    })
  }

  it('the fixture is what the cases assume (so a pass above means something)', async () => {
    expect(await countRows(h.db, 'messages')).toBe(2)
    await expect(caller.user.me()).resolves.toMatchObject({
      displayName: 'Before',
      preferences: { theme: 'light' },
    })
    await expect(caller.conversation.get({ id: own.conversationId })).resolves.toMatchObject({
      pinned: false,
      currentModel: 'fake/echo',
    })
  })
})
