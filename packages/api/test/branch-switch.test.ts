import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loremText } from '@t3chat/llm/fake'
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
const AGAIN = loremText(3)

/** q1 → a1, q2 → (a2, then a regenerated a2' of lorem): the active path ends at a2'. */
async function twoAnswers(caller: Caller) {
  const first = await sendAndFinish(caller, { content: 'q1' })
  const conversationId = first.conversation.id
  const second = await sendAndFinish(caller, { conversationId, content: 'q2' })
  const regen = await caller.chat.regenerate({
    conversationId,
    clientMessageId: randomUUID(),
    model: 'fake/lorem:tokens=3',
  })
  const again = await finalMessage(caller, regen.assistantMessage.id)
  return { conversationId, first, second, again }
}

describe('conversation.selectBranch', () => {
  it('moves the active path; list, messageCount, leaf and the next context follow it', async () => {
    const { caller, token } = await h.user()
    const { conversationId, second, again } = await twoAnswers(caller)
    expect(again.content).toBe(AGAIN)
    expect(again.parentId).toBe(second.userMessage.id)
    expect(again.branch).toEqual({ index: 2, count: 2 })
    expect(await activePath(caller, conversationId)).toEqual([
      ['q1', '1/1'],
      ['q1', '1/1'],
      ['q2', '1/1'],
      [AGAIN, '2/2'],
    ])

    const device = await watchEvents(h, token)
    const switched = await caller.conversation.selectBranch({
      conversationId,
      messageId: second.assistantMessage.id,
    })
    expect(switched).toMatchObject({
      id: conversationId,
      leafMessageId: second.assistantMessage.id,
      messageCount: 4,
      preview: 'q2',
    })
    await device.until(
      (e) =>
        e.type === 'conversation.updated' &&
        e.conversation.leafMessageId === second.assistantMessage.id,
      'the switch on the other device',
    )
    await device.stop()
    expect(await activePath(caller, conversationId)).toEqual([
      ['q1', '1/1'],
      ['q1', '1/1'],
      ['q2', '1/1'],
      ['q2', '1/2'],
    ])
    expect(await caller.conversation.get({ id: conversationId })).toEqual(switched)

    // The next answer sees the path it hangs from, never the sibling.
    const model = 'fake/echo:run=after-switch'
    const next = await sendAndFinish(caller, { conversationId, content: 'q3', model })
    expect(next.userMessage.parentId).toBe(second.assistantMessage.id)
    expect(sentMessages(requestsFor(h, model)[0])).toEqual([
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'q1' },
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: 'q2' },
      { role: 'user', content: 'q3' },
    ])

    // Choosing the other answer again goes down to its newest leaf (it has none below).
    const back = await caller.conversation.selectBranch({ conversationId, messageId: again.id })
    expect(back).toMatchObject({ leafMessageId: again.id, messageCount: 4 })
    // And the first branch comes back whole, down to q3's answer.
    const whole = await caller.conversation.selectBranch({
      conversationId,
      messageId: second.assistantMessage.id,
    })
    expect(whole).toMatchObject({ leafMessageId: next.assistantMessage.id, messageCount: 6 })
  })

  it('CONFLICT while an answer is live; NOT_FOUND for ids of another user; nothing changes', async () => {
    const { caller } = await h.user()
    const other = await h.user()
    const { conversationId, second } = await twoAnswers(caller)
    const before = await snapshotAll(h.db)

    await expectError(
      other.caller.conversation.selectBranch({
        conversationId,
        messageId: second.assistantMessage.id,
      }),
      'NOT_FOUND',
    )
    const theirs = await sendAndFinish(other.caller, { content: 'mine' })
    // Their message id in my conversation, and my message id in their conversation.
    await expectError(
      caller.conversation.selectBranch({ conversationId, messageId: theirs.userMessage.id }),
      'NOT_FOUND',
    )
    await expectError(
      other.caller.conversation.selectBranch({
        conversationId: theirs.conversation.id,
        messageId: second.userMessage.id,
      }),
      'NOT_FOUND',
    )
    await expectError(caller.conversation.fork({ messageId: theirs.userMessage.id }), 'NOT_FOUND')
    const mine = await snapshotAll(h.db)
    expect(mine.messages.filter((m) => m.conversationId === conversationId)).toEqual(
      before.messages.filter((m) => m.conversationId === conversationId),
    )

    const live = await caller.chat.send({
      conversationId,
      clientMessageId: randomUUID(),
      content: 'slow',
      model: 'fake/slow:tokens=40',
    })
    const during = await snapshotAll(h.db)
    await expectError(
      caller.conversation.selectBranch({ conversationId, messageId: second.assistantMessage.id }),
      'CONFLICT',
    )
    await expectError(caller.conversation.fork({ messageId: second.userMessage.id }), 'CONFLICT')
    const after = await snapshotAll(h.db)
    expect(after.conversations).toEqual(during.conversations)
    await caller.chat.stop({ messageId: live.assistantMessage.id })
  })
})

describe('message.siblings', () => {
  it('lists the messages sharing a parent, in creation order; NOT_FOUND for another user', async () => {
    const { caller } = await h.user()
    const other = await h.user()
    const { first, second, again } = await twoAnswers(caller)
    const answers = await caller.message.siblings({ messageId: again.id })
    expect(answers.items.map((m) => [m.id, m.branch])).toEqual([
      [second.assistantMessage.id, { index: 1, count: 2 }],
      [again.id, { index: 2, count: 2 }],
    ])
    // A root's siblings are the conversation's other roots (here none).
    const roots = await caller.message.siblings({ messageId: first.userMessage.id })
    expect(roots.items.map((m) => m.id)).toEqual([first.userMessage.id])
    await expectError(other.caller.message.siblings({ messageId: again.id }), 'NOT_FOUND')
  })
})

describe('conversation.fork', () => {
  it('copies the path up to a message (any branch) into a new conversation', async () => {
    const { caller, token } = await h.user()
    const { conversationId, second } = await twoAnswers(caller)
    const device = await watchEvents(h, token)
    const fork = await caller.conversation.fork({ messageId: second.assistantMessage.id })
    await device.until(
      (e) => e.type === 'conversation.created' && e.conversation.id === fork.id,
      'the fork on the other device',
    )
    await device.stop()
    expect(fork).toMatchObject({ messageCount: 4, preview: 'q2' })
    expect(fork.id).not.toBe(conversationId)
    expect(await activePath(caller, fork.id)).toEqual([
      ['q1', '1/1'],
      ['q1', '1/1'],
      ['q2', '1/1'],
      ['q2', '1/1'],
    ])
    const items = (await caller.message.list({ conversationId: fork.id })).items
    expect(fork.leafMessageId).toBe(items.at(-1)?.id)
    expect(items.map((m) => m.seq)).toEqual([1, 2, 3, 4])
    // The source keeps its own active path.
    expect(await activePath(caller, conversationId)).toContainEqual([AGAIN, '2/2'])

    // The copy continues on its own, with the copied path as context.
    const model = 'fake/echo:run=after-fork'
    await sendAndFinish(caller, { conversationId: fork.id, content: 'q3', model })
    expect(sentMessages(requestsFor(h, model)[0]).map((m) => m.content)).toEqual([
      'q1',
      'q1',
      'q2',
      'q2',
      'q3',
    ])
  })
})
