import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { userScopedId } from '@t3chat/db'
import type { ChatEvent } from '../src/index'
import { useHarness } from './harness'
import { snapshotUser } from './support/core-db'
import { collect } from './streams'
import { finalMessage, finalOf, sendAndFinish } from './support/engine'

// Existence oracles: the ids a client chooses (`clientMessageId`, `assistantMessageId`) must
// not tell one user anything about another's. Another user's id behaves like a fresh one, and
// nothing of theirs changes.

const h = useHarness({ config: { answerWaitMs: 300 } })

/** The parts of a send's result that do not depend on ids or clocks. */
function outcome(result: {
  conversation: { messageCount: number; title: string | null }
  userMessage: { seq: number; content: string; status: string }
  assistantMessage: { seq: number; status: string }
}) {
  return {
    messageCount: result.conversation.messageCount,
    user: { seq: result.userMessage.seq, content: result.userMessage.content },
    assistant: { seq: result.assistantMessage.seq, status: result.assistantMessage.status },
  }
}

describe('client-chosen ids are per user', () => {
  it("another user's clientMessageId sends like a fresh one (regression: 'already used')", async () => {
    const owner = await h.user()
    const clientMessageId = randomUUID()
    await sendAndFinish(owner.caller, { clientMessageId, content: 'mine', model: 'fake/echo' })
    await h.deps.runner.idle()
    const before = await snapshotUser(h.db, owner.id)

    const attacker = await h.user()
    const fresh = await sendAndFinish(attacker.caller, { content: 'probe', model: 'fake/echo' })
    const foreign = await sendAndFinish(attacker.caller, {
      clientMessageId,
      content: 'probe',
      model: 'fake/echo',
    })
    expect(outcome(foreign)).toEqual(outcome(fresh))
    expect(foreign.answer).toMatchObject({ status: 'completed', content: 'probe' })
    // The id is the attacker's now: repeating it replays their send, not the owner's.
    const again = await attacker.caller.chat.send({
      clientMessageId,
      content: 'probe',
      model: 'fake/echo',
    })
    expect(again.userMessage.id).toBe(foreign.userMessage.id)
    expect(await snapshotUser(h.db, owner.id)).toEqual(before)
  })

  it("another user's clientMessageId regenerates and edits like a fresh one", async () => {
    const owner = await h.user()
    const sent = await sendAndFinish(owner.caller, { content: 'q', model: 'fake/echo' })
    const regenerateId = randomUUID()
    const regenerated = await owner.caller.chat.regenerate({
      conversationId: sent.conversation.id,
      clientMessageId: regenerateId,
    })
    const regeneratedEvents = await collect<ChatEvent>(
      await owner.caller.chat.stream({ messageId: regenerated.assistantMessage.id }),
    )
    expect(finalOf(regeneratedEvents).status).toBe('completed')
    const editId = randomUUID()
    const edited = await owner.caller.chat.edit({
      messageId: sent.userMessage.id,
      clientMessageId: editId,
      content: 'q edited',
    })
    await collect<ChatEvent>(
      await owner.caller.chat.stream({ messageId: edited.assistantMessage.id }),
    )
    await h.deps.runner.idle()
    const before = await snapshotUser(h.db, owner.id)

    const attacker = await h.user()
    const own = await sendAndFinish(attacker.caller, { content: 'a', model: 'fake/echo' })
    const again = await attacker.caller.chat.regenerate({
      conversationId: own.conversation.id,
      clientMessageId: regenerateId,
    })
    expect(again.assistantMessage).toMatchObject({ seq: 3, status: 'pending' })
    expect(await finalMessage(attacker.caller, again.assistantMessage.id)).toMatchObject({
      status: 'completed',
      content: 'a',
    })
    const changed = await attacker.caller.chat.edit({
      messageId: own.userMessage.id,
      clientMessageId: editId,
      content: 'b',
    })
    expect(changed.userMessage).toMatchObject({ content: 'b', branch: { index: 2, count: 2 } })
    await collect<ChatEvent>(
      await attacker.caller.chat.stream({ messageId: changed.assistantMessage.id }),
    )
    expect(await snapshotUser(h.db, owner.id)).toEqual(before)
  })

  it("another user's answer id as assistantMessageId starts an answer like a fresh id (regression: 'already used')", async () => {
    const owner = await h.user()
    const taken = await sendAndFinish(owner.caller, { content: 'mine', model: 'fake/echo' })
    await h.deps.runner.idle()
    const before = await snapshotUser(h.db, owner.id)

    const attacker = await h.user()
    const probe = async (assistantMessageId: string) => {
      const clientMessageId = randomUUID()
      const input = { clientMessageId, assistantMessageId, content: 'probe', model: 'fake/echo' }
      // One round trip: the chosen id is followed while the send runs.
      const [events, result] = await Promise.all([
        attacker.caller.chat
          .stream({ messageId: assistantMessageId })
          .then((it) => collect<ChatEvent>(it)),
        attacker.caller.chat.send(input),
      ])
      // A retry of the same send replays it.
      const retried = await attacker.caller.chat.send(input)
      expect(retried.assistantMessage.id).toBe(result.assistantMessage.id)
      return { result, events }
    }
    const fresh = await probe(randomUUID())
    const foreign = await probe(taken.assistantMessage.id)
    expect(outcome(foreign.result)).toEqual(outcome(fresh.result))
    // (Deltas or not depends on how fast the answer ends: both end with the whole text.)
    expect(finalOf(fresh.events)).toMatchObject({ status: 'completed', content: 'probe' })
    expect(finalOf(foreign.events)).toMatchObject({ status: 'completed', content: 'probe' })
    // The attacker's answer has an id of their own, derived from the one they chose.
    expect(foreign.result.assistantMessage.id).toBe(
      userScopedId(attacker.id, taken.assistantMessage.id),
    )
    // Once it has ended, the chosen id still means the attacker's answer (from the database).
    const later = await collect<ChatEvent>(
      await attacker.caller.chat.stream({ messageId: taken.assistantMessage.id }),
    )
    expect(finalOf(later)).toMatchObject({
      id: foreign.result.assistantMessage.id,
      content: 'probe',
    })
    expect(await snapshotUser(h.db, owner.id)).toEqual(before)
  })

  it("chat.stop on the chosen id stops the answer whose id was derived from another user's", async () => {
    const owner = await h.user()
    const taken = await sendAndFinish(owner.caller, { content: 'mine', model: 'fake/echo' })
    await h.deps.runner.idle()
    const before = await snapshotUser(h.db, owner.id)
    const attacker = await h.user()
    const chosen = taken.assistantMessage.id
    const live = await attacker.caller.chat.send({
      clientMessageId: randomUUID(),
      assistantMessageId: chosen,
      content: 'long',
      model: 'fake/slow:tokens=400',
    })
    expect(live.assistantMessage.id).toBe(userScopedId(attacker.id, chosen))
    const stopped = await attacker.caller.chat.stop({ messageId: chosen })
    expect(stopped).toMatchObject({ id: live.assistantMessage.id, status: 'cancelled' })
    expect(await finalMessage(attacker.caller, live.assistantMessage.id)).toMatchObject({
      status: 'cancelled',
    })
    expect(await snapshotUser(h.db, owner.id)).toEqual(before)
  })
})

describe('existence oracle: chat.stream', () => {
  it("another user's answer, live or finished, is NOT_FOUND after the same wait as a missing id", async () => {
    const owner = await h.user()
    const done = await sendAndFinish(owner.caller, { content: 'done', model: 'fake/echo' })
    const live = await owner.caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'secret',
      model: 'fake/stall:after=1',
    })
    const attacker = await h.user()
    const timed = async (messageId: string) => {
      const started = performance.now()
      const error = await attacker.caller.chat.stream({ messageId }).then(
        () => null,
        (e: unknown) => e,
      )
      return { error, ms: performance.now() - started }
    }
    for (const messageId of [live.assistantMessage.id, done.assistantMessage.id, randomUUID()]) {
      const { error, ms } = await timed(messageId)
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'Message not found' })
      expect(ms).toBeGreaterThanOrEqual(290)
    }
    await owner.caller.chat.stop({ messageId: live.assistantMessage.id })
  })
})
