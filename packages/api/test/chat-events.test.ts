import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { UserEvent } from '../src/index'
import { useHarness } from './harness'
import { finalMessage, sendAndFinish, sleep, waitFor } from './support/engine'
import { watchEvents } from './support/user-events'

const h = useHarness()

const types = (events: { data: UserEvent }[]) => events.map((e) => e.data.type)

describe('events (the user’s change feed)', () => {
  it('a second device sees created, message status changes (not deltas), the title and the deletion', async () => {
    const { id: userId, token, caller } = await h.user()
    const device = await watchEvents(h, token)
    const stranger = await h.user()
    const strangerFeed = await watchEvents(h, stranger.token)

    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'events please',
      model: 'fake/lorem:tokens=50,delay=1',
    })
    const final = await finalMessage(caller, sent.assistantMessage.id)
    await h.deps.runner.idle()
    await caller.conversation.delete({ id: sent.conversation.id })
    await device.until((e) => e.type === 'conversation.deleted', 'the deletion')

    expect(types(device.events)).toEqual([
      'conversation.created',
      'message.created',
      'message.created',
      'message.updated',
      'conversation.updated',
      'conversation.deleted',
    ])
    const [created, userCreated, answerCreated, answerUpdated, titled, deleted] = device.events.map(
      (e) => e.data,
    )
    expect(created).toEqual({ type: 'conversation.created', conversation: sent.conversation })
    expect(userCreated).toEqual({ type: 'message.created', message: sent.userMessage })
    expect(answerCreated).toEqual({ type: 'message.created', message: sent.assistantMessage })
    expect(answerUpdated).toEqual({ type: 'message.updated', message: final })
    expect(titled).toMatchObject({
      type: 'conversation.updated',
      conversation: { id: sent.conversation.id, title: 'Generated title' },
    })
    expect(deleted).toEqual({ type: 'conversation.deleted', conversationId: sent.conversation.id })
    // Ids are distinct and increasing.
    const ids = device.events.map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)

    await device.stop()
    await strangerFeed.stop()
    expect(strangerFeed.events).toEqual([])
    expect(userId).not.toBe(stranger.id)
  })

  it('a stop is announced as message.updated with status cancelled', async () => {
    const { token, caller } = await h.user()
    const device = await watchEvents(h, token)
    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'stop me',
      model: 'fake/slow:tokens=100',
    })
    await sleep(100)
    const stopped = await caller.chat.stop({ messageId: sent.assistantMessage.id })
    const updated = await device.until(
      (e) => e.type === 'message.updated' && e.message.id === stopped.id,
      'the cancelled answer',
    )
    expect(updated.data).toEqual({ type: 'message.updated', message: stopped })
    expect(stopped.status).toBe('cancelled')
    await device.stop()
  })

  it('resuming with lastEventId replays exactly what came after it, and nothing before', async () => {
    const { token, caller } = await h.user()
    const always = await watchEvents(h, token)
    const flaky = await watchEvents(h, token)

    const first = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'one',
      model: 'fake/lorem:tokens=20,delay=10', // slow enough that the answer ends after the cut
    })
    await waitFor(() => flaky.events.length >= 3, 'the first three events')
    await flaky.stop()
    const lastSeen = flaky.events.at(-1)
    if (lastSeen === undefined) throw new Error('no event')

    // While that device is away: the answer ends, the title arrives, another turn starts and ends.
    await finalMessage(caller, first.assistantMessage.id)
    await h.deps.runner.idle()
    await sendAndFinish(caller, {
      conversationId: first.conversation.id,
      content: 'two',
      model: 'fake/echo',
    })
    await waitFor(() => always.events.length >= 9, 'all events on the steady device')

    const resumed = await watchEvents(h, token, lastSeen.id)
    const expected = always.events.slice(always.events.findIndex((e) => e.id === lastSeen.id) + 1)
    expect(flaky.events).toHaveLength(3)
    expect(expected).toHaveLength(6)
    await waitFor(() => resumed.events.length >= expected.length, 'the replay')
    await sleep(50)
    expect(resumed.events).toEqual(expected)
    expect(flaky.events).toEqual(always.events.slice(0, flaky.events.length))

    // A fresh subscription without lastEventId replays nothing.
    const fresh = await watchEvents(h, token)
    await sleep(50)
    expect(fresh.events).toEqual([])

    await Promise.all([always.stop(), resumed.stop(), fresh.stop()])
  })
})
