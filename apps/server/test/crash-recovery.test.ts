import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest'
import { loremText } from '@t3chat/llm/fake'
import { killChildren } from './support/child-server'
import { deltaText, finalMessage, unsubscribeAll } from './support/recording'
import { prepareSpawned, type SpawnedSetup } from './support/spawned'
import { sendAndStream, streamOf } from './support/wire'

// kill -9 mid-answer: nothing gets to run on the way down. On restart over the same data the
// answer must read `error: interrupted` with the text of its last checkpoint, and the
// conversation must carry on.

// Spawned processes cold-start tsx and the database: slow on a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 })

const CHECKPOINT_MS = 200
const TOKENS = 600
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

it('kill -9 mid-stream, restart on the same data: interrupted with its checkpointed text; the conversation goes on', async () => {
  const first = await setup.start({ CHECKPOINT_INTERVAL_MS: String(CHECKPOINT_MS) })
  const client = setup.client(first, 'sse')
  const sent = await client.chat.send.mutate({
    clientMessageId: randomUUID(),
    content: 'start a long answer',
    model: `fake/slow:tokens=${TOKENS}`,
  })
  const stream = streamOf(client, sent.assistantMessage.id)
  await stream.waitFor((e) => e.data.type === 'delta')

  // What the client had, when: the last checkpoint before the kill holds at least what the
  // client had a few intervals earlier (the slack covers slow writes on a busy machine).
  const seen: { at: number; length: number }[] = []
  const sampler = setInterval(
    () => seen.push({ at: performance.now(), length: deltaText(stream.events).length }),
    20,
  )
  await new Promise((resolve) => setTimeout(resolve, 8 * CHECKPOINT_MS))
  clearInterval(sampler)
  const killedAt = performance.now()
  first.process.kill('SIGKILL')
  expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' })
  stream.unsubscribe()
  const atKill = deltaText(stream.events)
  expect(finalMessage(stream.events)).toBeUndefined()
  const surelySaved = seen.filter((s) => s.at <= killedAt - 5 * CHECKPOINT_MS).at(-1)?.length ?? 0
  expect(surelySaved).toBeGreaterThan(0)

  const second = await setup.start({ CHECKPOINT_INTERVAL_MS: String(CHECKPOINT_MS) })
  const again = setup.client(second, 'ws')
  const history = await again.message.list.query({ conversationId: sent.conversation.id })
  const answer = history.items.find((m) => m.id === sent.assistantMessage.id)
  expect(answer).toMatchObject({ status: 'error', error: { code: 'interrupted' } })
  const kept = answer?.content ?? ''
  console.log(
    `kill -9: client had ${atKill.length} chars, ${surelySaved} 5 intervals earlier; restart kept ${kept.length}`,
  )
  expect(FULL.startsWith(kept)).toBe(true)
  expect(kept.length).toBeGreaterThanOrEqual(surelySaved)
  expect(kept.length).toBeLessThan(FULL.length)

  // A subscriber of the dead answer gets its final state and an end.
  const replay = streamOf(again, sent.assistantMessage.id)
  expect(await replay.settled()).toBe('completed')
  expect(finalMessage(replay.events)).toMatchObject({ status: 'error', content: kept })

  // The conversation is not stuck "generating": a new message goes through to the end.
  const { sent: next, stream: nextStream } = await sendAndStream(again, {
    conversationId: sent.conversation.id,
    clientMessageId: randomUUID(),
    content: 'are you back',
    model: 'fake/echo:delay=5',
  })
  expect(next.userMessage.seq).toBe(3)
  expect(await nextStream.settled()).toBe('completed')
  expect(finalMessage(nextStream.events)).toMatchObject({
    status: 'completed',
    content: 'are you back',
  })
  expect(deltaText(nextStream.events)).toBe('are you back')
})
