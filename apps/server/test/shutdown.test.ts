import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ChatClient, ChatEvent, UserEvent } from '@t3chat/client'
import { loremText } from '@t3chat/llm/fake'
import { killChildren } from './support/child-server'
import {
  deltaText,
  finalMessage,
  unsubscribeAll,
  type Recording,
  type Tracked,
} from './support/recording'
import { prepareSpawned, type SpawnedSetup } from './support/spawned'
import { startTestServer } from './support/test-server'
import { eventsOf, started, streamOf } from './support/wire'

// SIGTERM while clients are connected: the process leaves quickly and cleanly, and the answer
// it was generating is saved with the text it had.

// Spawned processes cold-start tsx and the database: slow on a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 })

const TOKENS = 500
const FULL = loremText(TOKENS)

let setup: SpawnedSetup
beforeAll(async () => {
  setup = await prepareSpawned()
})
afterEach(async () => {
  unsubscribeAll()
  await killChildren()
})
afterAll(async () => {
  await setup.close()
})

/** Opens an `events` feed on each client, starts a long answer, and follows it on each. */
async function busy(sse: ChatClient, ws: ChatClient) {
  const feeds = [eventsOf(sse), eventsOf(ws)]
  await Promise.all(feeds.map((feed) => started(feed)))
  const sent = await sse.chat.send.mutate({
    clientMessageId: randomUUID(),
    content: 'a long one please',
    model: `fake/slow:tokens=${TOKENS}`,
  })
  const streams = [streamOf(sse, sent.assistantMessage.id), streamOf(ws, sent.assistantMessage.id)]
  await Promise.all(streams.map((s) => s.waitFor((e) => e.data.type === 'delta')))
  return { sent, feeds, streams }
}

/** Each answer subscription ends normally after a final `error: interrupted` with its text. */
async function expectInterruptedFinal(streams: Recording<ChatEvent>[]): Promise<string> {
  for (const stream of streams) {
    expect(await stream.settled(5_000)).toBe('completed')
    expect(stream.errors).toEqual([])
    const final = finalMessage(stream.events)
    expect(final).toMatchObject({ status: 'error', error: { code: 'interrupted' } })
    expect(final?.content).toBe(deltaText(stream.events))
  }
  const saved = finalMessage(streams[0]?.events ?? [])?.content ?? ''
  expect(saved.length).toBeGreaterThan(0)
  expect(saved.length).toBeLessThan(FULL.length)
  expect(FULL.startsWith(saved)).toBe(true)
  return saved
}

/** Each feed completes (no error) after announcing the interrupted answer. */
async function expectFeedsEnded(feeds: Recording<UserEvent>[], messageId: string): Promise<void> {
  for (const feed of feeds) {
    expect(await feed.settled(5_000)).toBe('completed')
    expect(feed.errors).toEqual([])
    const update = feed.events.find(
      (e: Tracked<UserEvent>) =>
        e.data.type === 'message.updated' && e.data.message.id === messageId,
    )
    expect(update?.data).toMatchObject({
      message: { status: 'error', error: { code: 'interrupted' } },
    })
  }
}

it('SIGTERM with open subscriptions on SSE and WS: exit 0 within 5 s, clean ends, the live answer saved as interrupted', async () => {
  const server = await setup.start({ CHECKPOINT_INTERVAL_MS: '200' })
  const sse = setup.client(server, 'sse')
  const ws = setup.client(server, 'ws')
  const { sent, feeds, streams } = await busy(sse, ws)

  const signalledAt = performance.now()
  server.process.kill('SIGTERM')
  const exit = await server.exited
  const tookMs = performance.now() - signalledAt
  console.log(`SIGTERM → exit: ${Math.round(tookMs)} ms`)
  expect(exit).toEqual({ code: 0, signal: null })
  expect(tookMs).toBeLessThan(5_000)

  const saved = await expectInterruptedFinal(streams)
  await expectFeedsEnded(feeds, sent.assistantMessage.id)

  const row = await setup.inspect((db) =>
    db
      .selectFrom('messages')
      .select(['content', 'status', 'errorCode'])
      .where('id', '=', sent.assistantMessage.id)
      .executeTakeFirstOrThrow(),
  )
  expect(row).toEqual({ content: saved, status: 'error', errorCode: 'interrupted' })
})

describe('in-process close()', () => {
  it('regression: open events feeds held the shutdown until SHUTDOWN_TIMEOUT_MS', async () => {
    const ts = await startTestServer({ SHUTDOWN_TIMEOUT_MS: '30000' })
    try {
      const token = await ts.token()
      const { sent, feeds, streams } = await busy(ts.client('sse', token), ts.client('ws', token))
      const closingAt = performance.now()
      await ts.server.close()
      expect(performance.now() - closingAt).toBeLessThan(2_000)
      await expectInterruptedFinal(streams)
      await expectFeedsEnded(feeds, sent.assistantMessage.id)
    } finally {
      await ts.close()
    }
  })

  it('regression: a WS subscriber lost the final event of an answer the shutdown interrupted', async () => {
    const ts = await startTestServer()
    try {
      const client = ts.client('ws', await ts.token())
      const sent = await client.chat.send.mutate({
        clientMessageId: randomUUID(),
        content: 'go',
        model: `fake/slow:tokens=${TOKENS}`,
      })
      const stream = streamOf(client, sent.assistantMessage.id)
      await stream.waitFor((e) => e.data.type === 'delta')
      await ts.server.close()
      await expectInterruptedFinal([stream])
    } finally {
      await ts.close()
    }
  })
})
