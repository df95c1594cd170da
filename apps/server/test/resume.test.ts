import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, it } from 'vitest'
import type { ChatClient } from '@t3chat/client'
import { loremText } from '@t3chat/llm/fake'
import { deltaText, finalMessage, unsubscribeAll } from './support/recording'
import { startTcpProxy } from './support/tcp-proxy'
import { startTestServer, type TestServer, type Transport } from './support/test-server'
import { streamOf } from './support/wire'

// A client that loses its connection mid-answer and comes back with the last id it saw must
// end up with exactly the answer: nothing missing, nothing twice.

// 50 tokens/s: 3 s, long enough to drop and come back mid-answer.
const TOKENS = 150
const FULL = loremText(TOKENS)
// EventSource waits 3 s before it reconnects by itself: this answer outlasts that.
const LONG_TOKENS = 400

// The cases wait on answers in real time, so they run side by side (each as its own user,
// with the test context's `expect` and hooks, as concurrent tests must).
let ts: TestServer
beforeAll(async () => {
  ts = await startTestServer()
})
afterAll(async () => {
  unsubscribeAll()
  await ts.close()
})

async function sendLong(client: ChatClient, tokens = TOKENS) {
  return client.chat.send.mutate({
    clientMessageId: randomUUID(),
    content: 'hi',
    model: `fake/slow:tokens=${tokens}`,
  })
}

async function storedContent(messageId: string): Promise<string> {
  const row = await ts.db
    .selectFrom('messages')
    .select('content')
    .where('id', '=', messageId)
    .executeTakeFirstOrThrow()
  return row.content
}

describe.concurrent.each<Transport>(['sse', 'ws'])('resume on %s', (transport) => {
  it('unsubscribe mid-stream, resubscribe with the last id: exact text, no gap, no duplicate', async ({
    expect,
  }) => {
    const token = await ts.token()
    const client = ts.client(transport, token)
    const sent = await sendLong(client)

    const first = streamOf(client, sent.assistantMessage.id)
    await first.waitFor((e) => e.data.type === 'delta' && Number(e.id) > 20)
    first.unsubscribe()
    const before = deltaText(first.events)
    const lastId = first.events.at(-1)?.id ?? ''
    expect(lastId).toBe(String(before.length))
    expect(finalMessage(first.events)).toBeUndefined()

    // A brand-new client, as after a page reload.
    const again = ts.client(transport, token)
    const second = streamOf(again, sent.assistantMessage.id, lastId)
    expect(await second.settled(15_000)).toBe('completed')
    const firstDelta = second.events.find((e) => e.data.type === 'delta')
    expect(firstDelta?.data).toMatchObject({
      text: FULL.slice(before.length, Number(firstDelta?.id)),
    })

    const after = deltaText(second.events)
    expect(before + after).toBe(FULL)
    expect(finalMessage(second.events)).toMatchObject({ status: 'completed', content: FULL })
    expect(await storedContent(sent.assistantMessage.id)).toBe(FULL)
  })

  it('the connection drops mid-stream: the client resumes by itself with the last id', async ({
    expect,
    onTestFinished,
  }) => {
    const proxy = await startTcpProxy(ts.url)
    onTestFinished(() => proxy.close())
    const client = ts.client(transport, await ts.token(), proxy.url)
    const sent = await sendLong(client, LONG_TOKENS)
    const full = loremText(LONG_TOKENS)
    const stream = streamOf(client, sent.assistantMessage.id)
    await stream.waitFor((e) => e.data.type === 'delta' && Number(e.id) > 20)
    const acceptedBefore = proxy.accepted
    const atCut = deltaText(stream.events).length
    proxy.cut()

    expect(await stream.settled(20_000)).toBe('completed')
    // It really reconnected (a new TCP connection, a second `started`), mid-answer.
    expect(proxy.accepted).toBeGreaterThan(acceptedBefore)
    expect(stream.startedCount).toBeGreaterThanOrEqual(2)
    expect(stream.errors).toEqual([])

    // The text after the reconnect arrived as deltas (the answer was still live), not only
    // inside the final message.
    expect(deltaText(stream.events).length).toBeGreaterThan(atCut)
    expect(deltaText(stream.events)).toBe(full)
    const ids = stream.events.filter((e) => e.data.type === 'delta').map((e) => Number(e.id))
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(new Set(ids).size).toBe(ids.length)
    expect(finalMessage(stream.events)).toMatchObject({ status: 'completed', content: full })
  })
})

it.concurrent(
  'closing the WS client completes its subscriptions; a new subscription resumes exactly',
  async ({ expect }) => {
    const token = await ts.token()
    const client = ts.client('ws', token)
    const sent = await sendLong(client)
    const first = streamOf(client, sent.assistantMessage.id)
    await first.waitFor((e) => e.data.type === 'delta' && Number(e.id) > 20)
    client.close()
    expect(await first.settled()).toBe('completed')
    const before = deltaText(first.events)
    expect(before.length).toBeLessThan(FULL.length)

    // The same client reconnects for the next subscription.
    const second = streamOf(client, sent.assistantMessage.id, first.events.at(-1)?.id)
    expect(await second.settled(15_000)).toBe('completed')
    expect(before + deltaText(second.events)).toBe(FULL)
  },
)
