import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { TRPCError } from '@trpc/server'
import { startHarness, type Harness } from './harness'
import { type Caller, expectError, rowCounts, sendAndFinish } from './support/engine'

let h: Harness
let caller: Caller
let conversationId: string
let answerId: string
let counts: { conversations: number; messages: number }

beforeAll(async () => {
  // chat.stream waits this long for an unknown answer id to go live before NOT_FOUND.
  h = await startHarness({ config: { answerWaitMs: 200 } })
  caller = (await h.user()).caller
  const done = await sendAndFinish(caller, { content: 'existing', model: 'fake/echo' })
  conversationId = done.conversation.id
  answerId = done.assistantMessage.id
})
afterAll(async () => {
  await h.close()
})
beforeEach(async () => {
  counts = await rowCounts(h.db)
})

/** Hands a deliberately ill-typed input to a procedure, as a client in another language could. */
const raw = <T>(value: unknown): T => value as T

/** The call fails with `code`, the message names `field`, and no row was written. */
async function refused(
  call: Promise<unknown>,
  code: TRPCError['code'],
  field: string | RegExp,
): Promise<void> {
  await expectError(call, code, field)
  expect(await rowCounts(h.db)).toEqual(counts)
}

type SendInput = Parameters<Caller['chat']['send']>[0]
const send = (input: Record<string, unknown>) =>
  caller.chat.send(raw<SendInput>({ clientMessageId: randomUUID(), content: 'hi', ...input }))

describe('chat.send input', () => {
  it('clientMessageId: missing or not a UUID → BAD_REQUEST naming it', async () => {
    await refused(
      caller.chat.send(raw<SendInput>({ content: 'hi' })),
      'BAD_REQUEST',
      /^clientMessageId: /,
    )
    await refused(
      send({ clientMessageId: 'abc' }),
      'BAD_REQUEST',
      'clientMessageId: must be a UUID',
    )
  })

  it('content: empty or whitespace → BAD_REQUEST; not a string → BAD_REQUEST', async () => {
    await refused(send({ content: '' }), 'BAD_REQUEST', 'content: must not be empty')
    await refused(send({ content: ' \n\t  ' }), 'BAD_REQUEST', 'content: must not be empty')
    await refused(send({ content: 42 }), 'BAD_REQUEST', /^content: /)
    await refused(send({ content: undefined }), 'BAD_REQUEST', /^content: /)
  })

  it('content over 100,000 characters → PAYLOAD_TOO_LARGE naming content; exactly 100,000 is accepted', async () => {
    await refused(send({ content: 'x'.repeat(100_001) }), 'PAYLOAD_TOO_LARGE', /^content: /)
    const { answer, userMessage } = await sendAndFinish(caller, {
      content: 'y'.repeat(100_000),
      model: 'fake/lorem:tokens=2',
    })
    expect(userMessage.content).toHaveLength(100_000)
    expect(answer.status).toBe('completed')
  })

  it('systemPrompt over 20,000 characters → PAYLOAD_TOO_LARGE naming systemPrompt', async () => {
    await refused(
      send({ systemPrompt: 's'.repeat(20_001) }),
      'PAYLOAD_TOO_LARGE',
      /^systemPrompt: /,
    )
  })

  it('model: malformed or unknown → BAD_REQUEST naming model', async () => {
    await refused(send({ model: 'no-slash' }), 'BAD_REQUEST', /^model: /)
    await refused(send({ model: '' }), 'BAD_REQUEST', /^model: /)
    await refused(send({ model: 'nobody/no-such-model' }), 'BAD_REQUEST', /^model: unknown model/)
    await refused(
      send({ conversationId, model: 'nobody/no-such-model' }),
      'BAD_REQUEST',
      /model\.list/,
    )
  })

  it('conversationId: not a UUID → BAD_REQUEST; unknown or another user’s → NOT_FOUND', async () => {
    await refused(send({ conversationId: 'nope' }), 'BAD_REQUEST', /^conversationId: /)
    await refused(send({ conversationId: randomUUID() }), 'NOT_FOUND', /Conversation not found/)
    const stranger = await h.user()
    await refused(
      stranger.caller.chat.send({ clientMessageId: randomUUID(), conversationId, content: 'hi' }),
      'NOT_FOUND',
      /Conversation not found/,
    )
  })

  it('several bad fields are all named', async () => {
    await refused(
      send({ clientMessageId: 'x', content: '' }),
      'BAD_REQUEST',
      /clientMessageId.*content|content.*clientMessageId/,
    )
  })
})

describe('chat.stream input', () => {
  it('messageId: not a UUID → BAD_REQUEST; unknown or another user’s → NOT_FOUND', async () => {
    await refused(caller.chat.stream({ messageId: 'x' }), 'BAD_REQUEST', /^messageId: /)
    await refused(caller.chat.stream({ messageId: randomUUID() }), 'NOT_FOUND', /Message not found/)
    const stranger = await h.user()
    await refused(
      stranger.caller.chat.stream({ messageId: answerId }),
      'NOT_FOUND',
      /Message not found/,
    )
  })

  it('lastEventId over 100 characters → PAYLOAD_TOO_LARGE naming lastEventId', async () => {
    await refused(
      caller.chat.stream({ messageId: answerId, lastEventId: '1'.repeat(101) }),
      'PAYLOAD_TOO_LARGE',
      /^lastEventId: /,
    )
  })
})

describe('chat.stop input', () => {
  it('messageId: not a UUID → BAD_REQUEST; unknown or another user’s → NOT_FOUND', async () => {
    await refused(caller.chat.stop({ messageId: '' }), 'BAD_REQUEST', /^messageId: /)
    await refused(caller.chat.stop({ messageId: randomUUID() }), 'NOT_FOUND', /Message not found/)
    const stranger = await h.user()
    await refused(stranger.caller.chat.stop({ messageId: answerId }), 'NOT_FOUND', /not found/)
  })
})

describe('chat.regenerate input', () => {
  type RegenerateInput = Parameters<Caller['chat']['regenerate']>[0]
  const regenerate = (input: Record<string, unknown>) =>
    caller.chat.regenerate(
      raw<RegenerateInput>({ conversationId, clientMessageId: randomUUID(), ...input }),
    )

  it('conversationId / clientMessageId missing or not UUIDs → BAD_REQUEST naming the field', async () => {
    await refused(regenerate({ conversationId: undefined }), 'BAD_REQUEST', /^conversationId: /)
    await refused(regenerate({ conversationId: 'x' }), 'BAD_REQUEST', /^conversationId: /)
    await refused(regenerate({ clientMessageId: 'x' }), 'BAD_REQUEST', /^clientMessageId: /)
  })

  it('model: malformed or unknown → BAD_REQUEST naming model', async () => {
    await refused(regenerate({ model: 'bad model' }), 'BAD_REQUEST', /^model: /)
    await refused(regenerate({ model: 'nobody/no-such-model' }), 'BAD_REQUEST', /^model: unknown/)
  })

  it('unknown or another user’s conversation → NOT_FOUND; one with no message → BAD_REQUEST', async () => {
    await refused(regenerate({ conversationId: randomUUID() }), 'NOT_FOUND', /not found/)
    const stranger = await h.user()
    await refused(
      stranger.caller.chat.regenerate({ conversationId, clientMessageId: randomUUID() }),
      'NOT_FOUND',
      /not found/,
    )
    const empty = await caller.conversation.create({})
    counts = await rowCounts(h.db)
    await refused(
      regenerate({ conversationId: empty.id }),
      'BAD_REQUEST',
      /^conversationId: .*no message/,
    )
  })
})

describe('without a valid token', () => {
  it('every chat procedure is UNAUTHORIZED and writes nothing', async () => {
    for (const anonymous of [h.anonymous(), h.callerWith('Bearer not-a-token')]) {
      await refused(
        anonymous.chat.send({ clientMessageId: randomUUID(), content: 'hi' }),
        'UNAUTHORIZED',
        /./,
      )
      await refused(anonymous.chat.stream({ messageId: answerId }), 'UNAUTHORIZED', /./)
      await refused(anonymous.chat.stop({ messageId: answerId }), 'UNAUTHORIZED', /./)
      await refused(
        anonymous.chat.regenerate({ conversationId, clientMessageId: randomUUID() }),
        'UNAUTHORIZED',
        /./,
      )
    }
  })
})
