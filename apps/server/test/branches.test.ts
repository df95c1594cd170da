import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ChatClient } from '@t3chat/client'
import { loremText } from '@t3chat/llm/fake'
import { finalMessage, unsubscribeAll } from './support/recording'
import { startTestServer, type TestServer, type Transport } from './support/test-server'
import { eventsOf, started, streamOf } from './support/wire'

// Branches through the real server and the real client: a second device follows a switch.

let ts: TestServer
beforeAll(async () => {
  ts = await startTestServer()
})
afterEach(() => unsubscribeAll())
afterAll(async () => {
  await ts.close()
})

async function answered(client: ChatClient, messageId: string) {
  const stream = streamOf(client, messageId)
  expect(await stream.settled()).toBe('completed')
  return finalMessage(stream.events)
}

/** Two clients of one user (this device and another), and a first answered turn of fake/echo. */
async function twoDevicesAndATurn(transport: Transport, content: string) {
  const token = await ts.token()
  const client = ts.client(transport, token)
  const otherDevice = ts.client(transport, token)
  const sent = await client.chat.send.mutate({
    clientMessageId: randomUUID(),
    content,
    model: 'fake/echo',
  })
  await answered(client, sent.assistantMessage.id)
  return { client, otherDevice, sent }
}

async function path(client: ChatClient, conversationId: string) {
  const page = await client.message.list.query({ conversationId })
  return page.items.map((m) => [m.content, `${m.branch.index}/${m.branch.count}`])
}

describe.each<Transport>(['sse', 'ws'])(
  'branches over the wire, subscriptions on %s',
  (transport) => {
    it('regenerate keeps the old answer as a sibling; selectBranch switches, another device sees it', async () => {
      const { client, otherDevice, sent } = await twoDevicesAndATurn(transport, 'two ways')
      const conversationId = sent.conversation.id
      const again = await client.chat.regenerate.mutate({
        conversationId,
        clientMessageId: randomUUID(),
        model: 'fake/lorem:tokens=5',
      })
      expect(await answered(client, again.assistantMessage.id)).toMatchObject({
        parentId: sent.userMessage.id,
        branch: { index: 2, count: 2 },
      })
      expect(await path(client, conversationId)).toEqual([
        ['two ways', '1/1'],
        [loremText(5), '2/2'],
      ])

      const feed = eventsOf(otherDevice)
      await started(feed)
      const switched = await client.conversation.selectBranch.mutate({
        conversationId,
        messageId: sent.assistantMessage.id,
      })
      expect(switched.leafMessageId).toBe(sent.assistantMessage.id)
      // Earlier updates (the regenerated answer's end, a title) may still be on their way: wait
      // for the one that carries the switch.
      const seen = await feed.waitFor(
        (e) =>
          e.data.type === 'conversation.updated' &&
          e.data.conversation.leafMessageId === sent.assistantMessage.id,
      )
      expect(seen.data).toEqual({ type: 'conversation.updated', conversation: switched })
      expect(await path(otherDevice, conversationId)).toEqual([
        ['two ways', '1/1'],
        ['two ways', '1/2'],
      ])

      const fork = await client.conversation.fork.mutate({ messageId: again.assistantMessage.id })
      expect(await path(client, fork.id)).toEqual([
        ['two ways', '1/1'],
        [loremText(5), '1/1'],
      ])
    })

    it('chat.edit streams the new answer; the other device gets the new messages', async () => {
      const { client, otherDevice, sent } = await twoDevicesAndATurn(transport, 'first words')
      const feed = eventsOf(otherDevice)
      await started(feed)
      const edited = await client.chat.edit.mutate({
        messageId: sent.userMessage.id,
        clientMessageId: randomUUID(),
        content: 'better words',
      })
      expect(await answered(client, edited.assistantMessage.id)).toMatchObject({
        content: 'better words',
        status: 'completed',
      })
      await feed.waitFor(
        (e) =>
          e.data.type === 'message.created' && e.data.message.id === edited.assistantMessage.id,
      )
      // (The first answer's title may arrive in between: look at this edit's events only.)
      const mine = feed.events.flatMap((e) =>
        (e.data.type === 'conversation.updated' &&
          e.data.conversation.leafMessageId === edited.assistantMessage.id) ||
        (e.data.type === 'message.created' &&
          [edited.userMessage.id, edited.assistantMessage.id].includes(e.data.message.id))
          ? [e.data.type]
          : [],
      )
      // The edit's own events first; the conversation may be updated again when the answer ends.
      expect(mine.slice(0, 3)).toEqual([
        'conversation.updated',
        'message.created',
        'message.created',
      ])
      expect(mine.slice(3).every((type) => type === 'conversation.updated')).toBe(true)
      expect(await path(otherDevice, sent.conversation.id)).toEqual([
        ['better words', '2/2'],
        ['better words', '1/1'],
      ])
    })
  },
)
