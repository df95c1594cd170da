import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useHarness } from './harness'
import { snapshotAll } from './support/core-db'
import {
  activePath,
  expectError,
  finalMessage,
  requestsFor,
  sendAndFinish,
  sentMessages,
  type Caller,
} from './support/engine'
import { watchEvents } from './support/user-events'

const h = useHarness()

/** Three turns with fake/echo (each answer repeats its question) under a system prompt. */
async function threeTurns(caller: Caller) {
  const first = await caller.chat.send({
    clientMessageId: randomUUID(),
    content: 'q1',
    model: 'fake/echo',
    systemPrompt: 'Be brief.',
  })
  await finalMessage(caller, first.assistantMessage.id)
  const conversationId = first.conversation.id
  const second = await sendAndFinish(caller, { conversationId, content: 'q2' })
  const third = await sendAndFinish(caller, { conversationId, content: 'q3' })
  return { conversationId, first, second, third }
}

describe('chat.edit', () => {
  it('answers an edited earlier message on a new branch; the old branch is kept whole', async () => {
    const { caller, token } = await h.user()
    const { conversationId, first, second, third } = await threeTurns(caller)
    // The generated title is announced in the background: let it go first, so that the
    // device hears only the edit.
    await h.deps.runner.idle()
    const device = await watchEvents(h, token)
    const model = 'fake/echo:run=edit-middle'
    const edited = await caller.chat.edit({
      messageId: second.userMessage.id,
      clientMessageId: randomUUID(),
      content: 'q2 edited',
      model,
    })
    expect(edited.userMessage).toMatchObject({
      parentId: first.assistantMessage.id,
      branch: { index: 2, count: 2 },
      content: 'q2 edited',
      seq: 7,
    })
    expect(edited.assistantMessage).toMatchObject({
      parentId: edited.userMessage.id,
      branch: { index: 1, count: 1 },
      status: 'pending',
      seq: 8,
      model,
    })
    expect(edited.conversation).toMatchObject({
      leafMessageId: edited.assistantMessage.id,
      messageCount: 4,
      preview: 'q2 edited',
      currentModel: model,
    })
    await finalMessage(caller, edited.assistantMessage.id)

    // Exactly the path up to the edited message, system prompt first; no sibling, no later turn.
    expect(sentMessages(requestsFor(h, model)[0])).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'q1' },
      { role: 'user', content: 'q2 edited' },
    ])
    expect(await activePath(caller, conversationId)).toEqual([
      ['q1', '1/1'],
      ['q1', '1/1'],
      ['q2 edited', '2/2'],
      ['q2 edited', '1/1'],
    ])
    // Another device hears of it.
    await device.until(
      (e) => e.type === 'message.created' && e.message.id === edited.assistantMessage.id,
      'the edit on the other device',
    )
    expect(device.events.map((e) => e.data.type).slice(0, 3)).toEqual([
      'conversation.updated',
      'message.created',
      'message.created',
    ])
    await device.stop()

    // Nothing was lost: the first branch comes back down to q3's answer.
    const back = await caller.conversation.selectBranch({
      conversationId,
      messageId: second.userMessage.id,
    })
    expect(back).toMatchObject({ leafMessageId: third.assistantMessage.id, messageCount: 6 })
    expect(await activePath(caller, conversationId)).toEqual([
      ['q1', '1/1'],
      ['q1', '1/1'],
      ['q2', '1/2'],
      ['q2', '1/1'],
      ['q3', '1/1'],
      ['q3', '1/1'],
    ])
  })

  it('editing the first message starts a new root, with only the system prompt before it', async () => {
    const { caller } = await h.user()
    const { conversationId, first } = await threeTurns(caller)
    const model = 'fake/echo:run=edit-root'
    const edited = await caller.chat.edit({
      messageId: first.userMessage.id,
      clientMessageId: randomUUID(),
      content: 'start over',
      model,
    })
    expect(edited.userMessage).toMatchObject({ parentId: null, branch: { index: 2, count: 2 } })
    await finalMessage(caller, edited.assistantMessage.id)
    expect(sentMessages(requestsFor(h, model)[0])).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'start over' },
    ])
    expect(await activePath(caller, conversationId)).toEqual([
      ['start over', '2/2'],
      ['start over', '1/1'],
    ])
    expect(await caller.conversation.get({ id: conversationId })).toMatchObject({
      messageCount: 2,
      preview: 'start over',
    })
  })

  it('is idempotent on clientMessageId; a send’s id is refused; nothing more is written', async () => {
    const { caller } = await h.user()
    const { second, third } = await threeTurns(caller)
    const input = {
      messageId: second.userMessage.id,
      clientMessageId: randomUUID(),
      content: 'once',
      model: 'fake/slow:tokens=10,run=edit-idem',
    }
    const a = await caller.chat.edit(input)
    const rows = await snapshotAll(h.db)
    const b = await caller.chat.edit(input)
    expect(b.userMessage.id).toBe(a.userMessage.id)
    expect(b.assistantMessage.id).toBe(a.assistantMessage.id)
    await finalMessage(caller, a.assistantMessage.id)
    const c = await caller.chat.edit(input)
    expect(c.assistantMessage).toMatchObject({ id: a.assistantMessage.id, status: 'completed' })
    expect((await snapshotAll(h.db)).messages.length).toBe(rows.messages.length)
    expect(requestsFor(h, input.model)).toHaveLength(1)

    // The id of a send is not an edit's to replay.
    const sendId = randomUUID()
    const sent = await caller.chat.send({
      conversationId: third.conversation.id,
      clientMessageId: sendId,
      content: 'q4',
      model: 'fake/echo',
    })
    await finalMessage(caller, sent.assistantMessage.id)
    const before = await snapshotAll(h.db)
    await expectError(
      caller.chat.edit({ ...input, clientMessageId: sendId }),
      'BAD_REQUEST',
      /clientMessageId/,
    )
    expect(await snapshotAll(h.db)).toEqual(before)
  })

  it('CONFLICT while an answer is live; NOT_FOUND for another user’s message; answers are not edited', async () => {
    const { caller } = await h.user()
    const other = await h.user()
    const { conversationId, second } = await threeTurns(caller)
    await other.caller.user.me()
    const before = await snapshotAll(h.db)
    await expectError(
      other.caller.chat.edit({
        messageId: second.userMessage.id,
        clientMessageId: randomUUID(),
        content: 'not yours',
      }),
      'NOT_FOUND',
    )
    await expectError(
      other.caller.chat.regenerate({
        conversationId,
        clientMessageId: randomUUID(),
        messageId: second.assistantMessage.id,
      }),
      'NOT_FOUND',
    )
    await expectError(
      caller.chat.edit({
        messageId: second.assistantMessage.id,
        clientMessageId: randomUUID(),
        content: 'an answer',
      }),
      'BAD_REQUEST',
      /messageId/,
    )
    await expectError(
      caller.chat.regenerate({
        conversationId,
        clientMessageId: randomUUID(),
        messageId: second.userMessage.id,
      }),
      'BAD_REQUEST',
      /messageId/,
    )
    expect(await snapshotAll(h.db)).toEqual(before)

    const live = await caller.chat.send({
      conversationId,
      clientMessageId: randomUUID(),
      content: 'slow',
      model: 'fake/slow:tokens=40',
    })
    const during = await snapshotAll(h.db)
    await expectError(
      caller.chat.edit({
        messageId: second.userMessage.id,
        clientMessageId: randomUUID(),
        content: 'while live',
      }),
      'CONFLICT',
    )
    await expectError(
      caller.chat.regenerate({
        conversationId,
        clientMessageId: randomUUID(),
        messageId: second.assistantMessage.id,
      }),
      'CONFLICT',
    )
    const after = await snapshotAll(h.db)
    expect(after.conversations).toEqual(during.conversations)
    expect(after.messages.map((m) => m.id)).toEqual(during.messages.map((m) => m.id))
    await caller.chat.stop({ messageId: live.assistantMessage.id })
  })
})

describe('chat.regenerate with messageId', () => {
  it('answers an earlier question again as a sibling; the context ends at that question', async () => {
    const { caller } = await h.user()
    const { conversationId, first, second } = await threeTurns(caller)
    const model = 'fake/echo:run=regen-earlier'
    const again = await caller.chat.regenerate({
      conversationId,
      clientMessageId: randomUUID(),
      messageId: second.assistantMessage.id,
      model,
    })
    expect(again.assistantMessage).toMatchObject({
      parentId: second.userMessage.id,
      branch: { index: 2, count: 2 },
    })
    expect(again.conversation).toMatchObject({ messageCount: 4, preview: 'q2' })
    await finalMessage(caller, again.assistantMessage.id)
    expect(sentMessages(requestsFor(h, model)[0])).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'q1' },
      { role: 'user', content: 'q2' },
    ])
    expect(await activePath(caller, conversationId)).toEqual([
      ['q1', '1/1'],
      ['q1', '1/1'],
      ['q2', '1/1'],
      ['q2', '2/2'],
    ])
    // An answer in another conversation is not this conversation's.
    await expectError(
      caller.chat.regenerate({
        conversationId,
        clientMessageId: randomUUID(),
        messageId: (await sendAndFinish(caller, { content: 'elsewhere' })).assistantMessage.id,
      }),
      'NOT_FOUND',
    )
    expect(first.conversation.id).toBe(conversationId)
  })
})
