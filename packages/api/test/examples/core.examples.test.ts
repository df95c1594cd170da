import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { useHarness } from '../harness'
import { recordExamples } from '../support/examples'
import { finalMessage, requestsFor, waitFor } from '../support/engine'
import { watchEvents } from '../support/user-events'
import type { ChatEvent } from '../../src/index'
import { collect, type Tracked } from '../streams'

const h = useHarness()

// The reference's examples (docs/examples/core.json): one real call of every procedure of the
// first version of the API, in the order a client would make them.
it('records an example of every procedure', async () => {
  const examples = recordExamples('core')
  const { caller, token } = await h.user()
  const call = examples.call

  await call('health', undefined, () => h.anonymous().health())
  await call('user.me', undefined, () => caller.user.me())
  await call('user.update', { displayName: 'Ada', preferences: { theme: 'dark' } }, (i) =>
    caller.user.update(i),
  )
  const models = await caller.model.list()
  examples.add('model.list', { output: { models: models.models.slice(0, 2) } })

  const feed = await watchEvents(h, token)
  const conversation = await call(
    'conversation.create',
    // The echo answer takes ~200 ms, so the stream shows it live (an instant answer may be over
    // before the subscription looks: then only its final comes).
    {
      title: 'Trip to Lisbon',
      systemPrompt: 'Answer in one paragraph.',
      model: 'fake/echo:delay=40',
    },
    (i) => caller.conversation.create(i),
  )
  // The answer's id is chosen by the client, so its stream opens before chat.send returns.
  const streamInput = { messageId: randomUUID() }
  const streaming = caller.chat.stream(streamInput).then((it) => collect<ChatEvent>(it))
  const sent = await call(
    'chat.send',
    {
      conversationId: conversation.id,
      clientMessageId: randomUUID(),
      assistantMessageId: streamInput.messageId,
      content: 'What should I see in Lisbon?',
    },
    (i) => caller.chat.send(i),
  )
  examples.add('chat.stream', { input: streamInput, events: coalesced(await streaming) })
  expect(sent.assistantMessage.id).toBe(streamInput.messageId)

  const regenerated = await call(
    'chat.regenerate',
    { conversationId: conversation.id, clientMessageId: randomUUID() },
    (i) => caller.chat.regenerate(i),
  )
  await finalMessage(caller, regenerated.assistantMessage.id)
  await h.deps.runner.idle() // the generated title is in before the conversation is read
  await call('message.list', { conversationId: conversation.id, limit: 50 }, (i) =>
    caller.message.list(i),
  )
  await call('conversation.get', { id: conversation.id }, (i) => caller.conversation.get(i))
  await call('conversation.update', { id: conversation.id, pinned: true }, (i) =>
    caller.conversation.update(i),
  )
  await call('conversation.list', { limit: 20 }, (i) => caller.conversation.list(i))

  // Stopping an answer before its first token: cancelled, with the (empty) text it had.
  const slow = 'fake/echo:first=30000,run=stop-example'
  const waiting = await caller.chat.send({
    clientMessageId: randomUUID(),
    content: 'Tell me a long story.',
    model: slow,
  })
  await waitFor(() => requestsFor(h, slow).length > 0, 'the upstream request')
  await call('chat.stop', { messageId: waiting.assistantMessage.id }, (i) => caller.chat.stop(i))
  await call('conversation.delete', { id: waiting.conversation.id }, (i) =>
    caller.conversation.delete(i),
  )

  // The feed saw the conversation created, then everything after it; shown up to the first answer.
  const created = await feed.until((e) => e.type === 'message.created', 'the first message event')
  await feed.stop()
  const upTo = feed.events.indexOf(created) + 2
  examples.add('events', {
    input: {},
    events: feed.events
      .slice(0, upTo)
      .map((e) => ({ id: e.id.replace(/^[^-]+/, 'boot'), data: e.data })),
  })
  expect(feed.events.length).toBeGreaterThanOrEqual(upTo)

  await examples.save()
})

/**
 * Consecutive deltas joined into one, as a slower client would receive them: how many frames
 * an answer takes depends on timing, and the example must not.
 */
function coalesced(events: Tracked<ChatEvent>[]): Tracked<ChatEvent>[] {
  const out: Tracked<ChatEvent>[] = []
  for (const event of events) {
    const last = out.at(-1)
    // A subscriber that joins as the answer starts may or may not see `pending` before
    // `streaming`: the example keeps the status it ends up with, so it does not depend on that.
    if (last?.data.type === 'status' && event.data.type === 'status') out[out.length - 1] = event
    else if (last?.data.type === 'delta' && event.data.type === 'delta')
      out[out.length - 1] = {
        id: event.id,
        data: { type: 'delta', text: last.data.text + event.data.text },
      }
    else out.push(event)
  }
  return out
}
