import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ChatEvent, UserEvent } from '@t3chat/client'
import { loremText } from '@t3chat/llm/fake'
import { deltaText, finalMessage, unsubscribeAll, type Tracked } from './support/recording'
import { startTestServer, type TestServer, type Transport } from './support/test-server'
import {
  errorCode,
  eventsOf,
  rejectionCode,
  sendAndStream,
  started,
  streamOf,
} from './support/wire'

// Every procedure of API.md through the real server and the real client, once with
// subscriptions over SSE and once over WebSocket.

let ts: TestServer
beforeAll(async () => {
  ts = await startTestServer()
})
afterEach(() => unsubscribeAll())
afterAll(async () => {
  await ts.close()
})

async function storedContent(messageId: string): Promise<{ content: string; status: string }> {
  return ts.db
    .selectFrom('messages')
    .select(['content', 'status'])
    .where('id', '=', messageId)
    .executeTakeFirstOrThrow()
}

/** Checks the chat.stream contract: status first, deltas tracked by content length, final last. */
function expectWellFormed(events: Tracked<ChatEvent>[]): void {
  expect(events[0]?.data.type).toBe('status')
  expect(events.at(-1)?.data.type).toBe('final')
  let length = 0
  for (const e of events) {
    if (e.data.type !== 'delta') continue
    length += e.data.text.length
    expect(e.id).toBe(String(length))
  }
}

describe.each<Transport>(['sse', 'ws'])('over the wire, subscriptions on %s', (transport) => {
  it('health answers without a token', async () => {
    const client = ts.client(transport, null)
    expect(await client.health.query()).toMatchObject({ status: 'ok', db: 'ok' })
  })

  it('user.me creates the user; user.update changes it', async () => {
    const sub = randomUUID()
    const client = ts.client(transport, await ts.token(sub))
    const me = await client.user.me.query()
    expect(me).toMatchObject({ id: sub, displayName: null, preferences: {} })
    const updated = await client.user.update.mutate({
      displayName: 'Ada',
      defaultModel: 'fake/slow',
      preferences: { theme: 'dark', nested: { camelCaseKey: 1 } },
    })
    expect(updated).toMatchObject({
      displayName: 'Ada',
      defaultModel: 'fake/slow',
      preferences: { theme: 'dark', nested: { camelCaseKey: 1 } },
    })
    expect(await client.user.me.query()).toEqual(updated)
  })

  it('model.list lists the upstream catalog', async () => {
    const client = ts.client(transport, await ts.token())
    const { models } = await client.model.list.query()
    expect(models.map((m) => m.id)).toEqual(
      expect.arrayContaining(['fake/echo', 'fake/slow', 'fake/lorem']),
    )
  })

  it('conversation.create | list | get | update | delete, announced on events', async () => {
    const client = ts.client(transport, await ts.token())
    const feed = eventsOf(client)
    await started(feed)

    const created = await client.conversation.create.mutate({
      title: 'First',
      systemPrompt: 'Be brief.',
      model: 'fake/echo',
    })
    expect(created).toMatchObject({ title: 'First', systemPrompt: 'Be brief.', pinned: false })
    const other = await client.conversation.create.mutate({})
    expect((await client.conversation.list.query({ limit: 10 })).items.map((c) => c.id)).toEqual(
      expect.arrayContaining([created.id, other.id]),
    )
    const firstPage = await client.conversation.list.query({ limit: 1 })
    expect(firstPage.items).toHaveLength(1)
    expect(firstPage.nextCursor).not.toBeNull()
    const secondPage = await client.conversation.list.query({
      limit: 1,
      cursor: firstPage.nextCursor,
    })
    expect([...firstPage.items, ...secondPage.items].map((c) => c.id).sort()).toEqual(
      [created.id, other.id].sort(),
    )

    expect(await client.conversation.get.query({ id: created.id })).toEqual(created)
    const updated = await client.conversation.update.mutate({
      id: created.id,
      title: 'Renamed',
      pinned: true,
      systemPrompt: null,
      model: 'fake/slow',
    })
    expect(updated).toMatchObject({
      title: 'Renamed',
      pinned: true,
      systemPrompt: null,
      currentModel: 'fake/slow',
    })
    expect(await client.conversation.delete.mutate({ id: other.id })).toEqual({ id: other.id })
    expect(await rejectionCode(client.conversation.get.query({ id: other.id }))).toBe('NOT_FOUND')

    await feed.waitFor(
      (e) => e.data.type === 'conversation.deleted' && e.data.conversationId === other.id,
    )
    const seen = feed.events.map((e) => e.data.type)
    expect(seen.filter((t) => t === 'conversation.created')).toHaveLength(2)
    expect(seen).toContain('conversation.updated')
  })

  it('chat.send → chat.stream (status → deltas → final); the database holds exactly the streamed text; events sees the conversation and its title', async () => {
    const client = ts.client(transport, await ts.token())
    const feed = eventsOf(client)
    await started(feed)

    const { sent, stream } = await sendAndStream(client, {
      clientMessageId: randomUUID(),
      content: 'Tell me something long',
      model: 'fake/lorem:tokens=50,delay=5',
    })
    expect(sent.userMessage).toMatchObject({ seq: 1, role: 'user', status: 'completed' })
    expect(sent.assistantMessage).toMatchObject({ seq: 2, role: 'assistant', content: '' })

    expect(await stream.settled()).toBe('completed')
    expectWellFormed(stream.events)
    const statuses = stream.events.flatMap((e) => (e.data.type === 'status' ? [e.data.status] : []))
    expect(statuses.every((s) => s === 'pending' || s === 'streaming')).toBe(true)
    expect(stream.events.filter((e) => e.data.type === 'delta').length).toBeGreaterThan(1)

    const text = deltaText(stream.events)
    expect(text).toBe(loremText(50))
    expect(finalMessage(stream.events)).toMatchObject({ status: 'completed', content: text })
    expect(await storedContent(sent.assistantMessage.id)).toEqual({
      content: text,
      status: 'completed',
    })

    const history = await client.message.list.query({ conversationId: sent.conversation.id })
    expect(history.items.map((m) => [m.seq, m.role, m.content])).toEqual([
      [1, 'user', 'Tell me something long'],
      [2, 'assistant', text],
    ])
    expect(history.items[1]?.usage?.completionTokens).toBe(50)

    const titled = await feed.waitFor(
      (e) =>
        e.data.type === 'conversation.updated' &&
        e.data.conversation.id === sent.conversation.id &&
        e.data.conversation.title === 'Wire title',
    )
    const createdAt = feed.events.findIndex(
      (e: Tracked<UserEvent>) =>
        e.data.type === 'conversation.created' && e.data.conversation.id === sent.conversation.id,
    )
    expect(createdAt).toBeGreaterThanOrEqual(0)
    expect(feed.events.indexOf(titled)).toBeGreaterThan(createdAt)
  })

  it('chat.stop mid-stream ends the answer cancelled and keeps the partial text', async () => {
    const client = ts.client(transport, await ts.token())
    const sent = await client.chat.send.mutate({
      clientMessageId: randomUUID(),
      content: 'Go on and on',
      model: 'fake/slow:tokens=300',
    })
    const stream = streamOf(client, sent.assistantMessage.id)
    await stream.waitFor((e) => e.data.type === 'delta')

    const stopped = await client.chat.stop.mutate({ messageId: sent.assistantMessage.id })
    expect(stopped.status).toBe('cancelled')
    expect(await stream.settled()).toBe('completed')

    const text = deltaText(stream.events)
    expect(text.length).toBeGreaterThan(0)
    expect(loremText(300).startsWith(text)).toBe(true)
    expect(text.length).toBeLessThan(loremText(300).length)
    expect(stopped.content).toBe(text)
    expect(finalMessage(stream.events)).toMatchObject({ status: 'cancelled', content: text })
    expect(await storedContent(sent.assistantMessage.id)).toEqual({
      content: text,
      status: 'cancelled',
    })
  })

  it('chat.regenerate answers the last user message again, with another model', async () => {
    const client = ts.client(transport, await ts.token())
    const sent = await client.chat.send.mutate({
      clientMessageId: randomUUID(),
      content: 'echo these words',
      model: 'fake/echo',
    })
    expect(await streamOf(client, sent.assistantMessage.id).settled()).toBe('completed')

    const again = await client.chat.regenerate.mutate({
      conversationId: sent.conversation.id,
      clientMessageId: randomUUID(),
      model: 'fake/lorem:tokens=20,delay=40',
    })
    expect(again.assistantMessage.seq).toBe(3)
    expect(again.conversation.currentModel).toBe('fake/lorem:tokens=20,delay=40')
    const stream = streamOf(client, again.assistantMessage.id)
    expect(await stream.settled()).toBe('completed')
    expectWellFormed(stream.events)
    expect(deltaText(stream.events)).toBe(loremText(20))

    const history = await client.message.list.query({ conversationId: sent.conversation.id })
    expect(history.items.map((m) => [m.seq, m.role, m.content])).toEqual([
      [1, 'user', 'echo these words'],
      [3, 'assistant', loremText(20)],
    ])
  })
})

describe('without a token', () => {
  it('a query is UNAUTHORIZED over HTTP (status 401)', async () => {
    const client = ts.client('sse', null)
    expect(await rejectionCode(client.user.me.query())).toBe('UNAUTHORIZED')
    const response = await fetch(`${ts.url}/user.me`)
    expect(response.status).toBe(401)
  })

  it('a token signed with another secret is UNAUTHORIZED', async () => {
    const forged =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCJyb2xlIjoiYXV0aGVudGljYXRlZCJ9.c2lnbmF0dXJl'
    expect(await rejectionCode(ts.client('sse', forged).model.list.query())).toBe('UNAUTHORIZED')
  })

  it.each<Transport>(['sse', 'ws'])('a subscription is UNAUTHORIZED over %s', async (transport) => {
    const client = ts.client(transport, null)
    const feed = eventsOf(client)
    expect(await feed.settled()).toBe('error')
    expect(errorCode(feed.errors[0])).toBe('UNAUTHORIZED')
    expect(feed.events).toEqual([])
  })
})
