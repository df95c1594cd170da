import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ChatClient } from '@t3chat/client'
import { loremText } from '@t3chat/llm/fake'
import { killChildren, type ChildServer } from './support/child-server'
import { deltaText, eventually, finalMessage, unsubscribeAll } from './support/recording'
import { prepareSpawned, type SpawnedSetup } from './support/spawned'
import { eventsOf, rejectionCode, sendAndStream, started, streamOf } from './support/wire'

// Several real server processes on one Postgres and one Redis, as an operator runs them.
// Redis: T3CHAT_TEST_REDIS_URL, or the machine's own; each test run uses a key prefix of its own.

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 })

const REDIS_URL = process.env.T3CHAT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
// REDIS_URL needs Postgres: these run where the test run has DATABASE_URL (CI does).
const describeMany = describe.runIf(Boolean(process.env.DATABASE_URL))

let setup: SpawnedSetup
let prefix: string
beforeAll(async () => {
  setup = await prepareSpawned()
  prefix = `t3chat-test:${randomUUID().slice(0, 8)}:`
})
afterEach(async () => {
  unsubscribeAll()
  await killChildren()
})
afterAll(async () => {
  await setup.close()
})

const ENCRYPTION_KEY = randomBytes(32).toString('base64')

function instance(env: Record<string, string> = {}): Promise<ChildServer> {
  return setup.start({
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    CHECKPOINT_INTERVAL_MS: '200',
    // Instances sharing a database share the key that encrypts users' provider keys.
    T3CHAT_ENCRYPTION_KEY: ENCRYPTION_KEY,
    ...env,
  })
}

/** The answer's row as stored. */
function storedAnswer(id: string) {
  return setup.inspect((db) =>
    db
      .selectFrom('messages')
      .select(['status', 'content'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow(),
  )
}

function requestOf(model: string) {
  return eventually(() => setup.fake.requests.find((r) => r.model === model))
}

describeMany('several instances on one Postgres and one Redis', () => {
  it('follows A’s answer from B, from the start and resumed at random offsets: no gap, no duplicate, equal to the stored text', async () => {
    const [a, b] = await Promise.all([instance(), instance()])
    const onA = setup.client(a, 'sse')
    const onB = setup.client(b, 'ws')
    const tokens = 300
    const { sent, stream: ownerStream } = await sendAndStream(onA, {
      clientMessageId: randomUUID(),
      content: 'a long one',
      model: `fake/lorem:tokens=${tokens},delay=5`,
    })
    const fromB = streamOf(onB, sent.assistantMessage.id)
    await fromB.waitFor((e) => e.data.type === 'delta')
    // Resumes from B at offsets the client could hold, while the answer streams.
    const resumes = []
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 60))
      const have = deltaText(fromB.events).length
      const offset = Math.floor(Math.random() * (have + 1))
      resumes.push({ offset, stream: streamOf(onB, sent.assistantMessage.id, String(offset)) })
    }
    expect(await fromB.settled()).toBe('completed')
    expect(await ownerStream.settled()).toBe('completed')
    const full = loremText(tokens)
    const stored = finalMessage(fromB.events)
    expect(stored).toMatchObject({ status: 'completed', content: full })
    expect(deltaText(fromB.events), 'followed on B').toBe(full)
    expect(deltaText(ownerStream.events), 'followed on A').toBe(full)
    for (const { offset, stream } of resumes) {
      expect(await stream.settled()).toBe('completed')
      expect(full.slice(0, offset) + deltaText(stream.events), `resumed at ${offset}`).toBe(full)
    }
    const rows = await storedAnswer(sent.assistantMessage.id)
    expect(rows).toEqual({ content: full, status: 'completed' })
  })

  it('a stop on B cancels A’s upstream and the answer stays cancelled with its text', async () => {
    const [a, b] = await Promise.all([instance(), instance()])
    const onA = setup.client(a, 'sse')
    const onB = setup.client(b, 'sse')
    const model = `fake/slow:tokens=2000,run=${randomUUID()}`
    const { sent, stream } = await sendAndStream(onA, {
      clientMessageId: randomUUID(),
      content: 'stop me elsewhere',
      model,
    })
    await stream.waitFor((e) => e.data.type === 'delta')
    const upstream = await requestOf(model)
    const stopped = await onB.chat.stop.mutate({ messageId: sent.assistantMessage.id })
    expect(stopped.status).toBe('cancelled')
    await upstream.finished
    expect(upstream.aborted).toBe(true)
    expect(await stream.settled()).toBe('completed')
    expect(finalMessage(stream.events)).toMatchObject({
      status: 'cancelled',
      content: stopped.content,
    })
    // Nothing overwrites it later, and the conversation takes the next message.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const row = await storedAnswer(sent.assistantMessage.id)
    expect(row).toEqual({ status: 'cancelled', content: stopped.content })
    const next = await sendAndStream(onB, {
      clientMessageId: randomUUID(),
      conversationId: sent.conversation.id,
      content: 'again',
      model: 'fake/echo',
    })
    expect(await next.stream.settled()).toBe('completed')
  })

  it('kill -9 of A mid-answer: B marks it interrupted with its text within ~15 s, and its follower on B gets the final', async () => {
    const [a, b] = await Promise.all([instance(), instance()])
    const onA = setup.client(a, 'sse')
    const onB = setup.client(b, 'sse')
    const { sent, stream } = await sendAndStream(onA, {
      clientMessageId: randomUUID(),
      content: 'die halfway',
      model: `fake/slow:tokens=5000,run=${randomUUID()}`,
    })
    await stream.waitFor((e) => e.data.type === 'delta')
    const fromB = streamOf(onB, sent.assistantMessage.id)
    await fromB.waitFor((e) => e.data.type === 'delta')
    await new Promise((resolve) => setTimeout(resolve, 600)) // a checkpoint or two
    const killedAt = performance.now()
    a.process.kill('SIGKILL')
    expect(await fromB.settled(30_000)).toBe('completed')
    const reapedMs = performance.now() - killedAt
    const final = finalMessage(fromB.events)
    console.log(
      `kill -9 of the owner: final on the other instance after ${Math.round(reapedMs)} ms`,
    )
    expect(reapedMs).toBeLessThan(20_000)
    expect(final).toMatchObject({ status: 'error', error: { code: 'interrupted' } })
    expect(final?.content.length).toBeGreaterThan(0)
    expect(loremText(5000).startsWith(final?.content ?? 'x')).toBe(true)
    const next = await sendAndStream(onB, {
      clientMessageId: randomUUID(),
      conversationId: sent.conversation.id,
      content: 'go on',
      model: 'fake/echo',
    })
    expect(await next.stream.settled()).toBe('completed')
    expect(finalMessage(next.stream.events)).toMatchObject({ status: 'completed' })
  })

  it('starting B while A streams leaves A’s answer alone', async () => {
    const a = await instance()
    const onA = setup.client(a, 'sse')
    const tokens = 150
    const { stream } = await sendAndStream(onA, {
      clientMessageId: randomUUID(),
      content: 'keep going',
      model: `fake/slow:tokens=${tokens},run=${randomUUID()}`,
    })
    await stream.waitFor((e) => e.data.type === 'delta')
    const b = await instance()
    expect(await setup.client(b, 'sse').health.query()).toMatchObject({ redis: 'ok' })
    expect(await stream.settled()).toBe('completed')
    expect(finalMessage(stream.events)).toMatchObject({
      status: 'completed',
      content: loremText(tokens),
    })
  })

  it('3 live answers on A and a 4th on B: TOO_MANY_REQUESTS, nothing written', async () => {
    const [a, b] = await Promise.all([instance(), instance()])
    const onA = setup.client(a, 'sse')
    const onB = setup.client(b, 'sse')
    const run = randomUUID()
    const live = await Promise.all(
      [1, 2, 3].map((i) =>
        sendAndStream(onA, {
          clientMessageId: randomUUID(),
          content: `live ${i}`,
          model: `fake/slow:tokens=3000,run=${run}-${i}`,
        }),
      ),
    )
    const conversation = await onB.conversation.create.mutate({ title: 'the fourth' })
    const code = await rejectionCode(
      onB.chat.send.mutate({
        clientMessageId: randomUUID(),
        conversationId: conversation.id,
        content: 'one more',
        model: 'fake/echo',
      }),
    )
    expect(code).toBe('TOO_MANY_REQUESTS')
    const page = await onB.message.list.query({ conversationId: conversation.id })
    expect(page.items).toEqual([])
    // A slot freed on A is free on B.
    await onB.chat.stop.mutate({ messageId: live[0]?.sent.assistantMessage.id ?? '' })
    const fourth = await sendAndStream(onB, {
      clientMessageId: randomUUID(),
      conversationId: conversation.id,
      content: 'now',
      model: 'fake/echo',
    })
    expect(await fourth.stream.settled()).toBe('completed')
    for (const { sent } of live) await onA.chat.stop.mutate({ messageId: sent.assistantMessage.id })
  })

  it('a rename on A arrives on B’s events, and lastEventId resumes across instances', async () => {
    const [a, b] = await Promise.all([instance(), instance()])
    const onA: ChatClient = setup.client(a, 'sse')
    const onB = setup.client(b, 'ws')
    const feedB = eventsOf(onB)
    await started(feedB)
    const conversation = await onA.conversation.create.mutate({ title: 'first' })
    await onA.conversation.update.mutate({ id: conversation.id, title: 'renamed on A' })
    const renamed = await feedB.waitFor(
      (e) => e.data.type === 'conversation.updated' && e.data.conversation.title === 'renamed on A',
    )
    await onA.conversation.update.mutate({ id: conversation.id, title: 'while away' })
    // Resume on A from the id B handed out: the update made meanwhile, nothing before it.
    const resumed = eventsOf(onA, renamed.id)
    const next = await resumed.waitFor((e) => e.data.type === 'conversation.updated')
    expect(next.data).toMatchObject({ conversation: { title: 'while away' } })
    expect(resumed.events[0]?.id).toBe(next.id)
  })

  it('WORKERS=2 serves answers and stops cleanly on one SIGTERM to the primary', async () => {
    const primary = await instance({ WORKERS: '2' })
    const client = setup.client(primary, 'sse')
    expect(await client.health.query()).toMatchObject({ status: 'ok', redis: 'ok' })
    const { stream } = await sendAndStream(client, {
      clientMessageId: randomUUID(),
      content: 'hello',
      model: 'fake/echo',
    })
    expect(await stream.settled()).toBe('completed')
    primary.process.kill('SIGTERM')
    expect(await primary.exited).toEqual({ code: 0, signal: null })
  })

  it('Redis killed and restarted mid-answer (a private redis-server): the answer completes and is saved, its followers end', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000)
    let redis = await privateRedis(port)
    try {
      const env = { REDIS_URL: `redis://127.0.0.1:${port}` }
      const [a, b] = await Promise.all([instance(env), instance(env)])
      const onA = setup.client(a, 'sse')
      const onB = setup.client(b, 'sse')
      const tokens = 250
      const { sent, stream } = await sendAndStream(onA, {
        clientMessageId: randomUUID(),
        content: 'through a Redis restart',
        model: `fake/slow:tokens=${tokens},run=${randomUUID()}`,
      })
      const fromB = streamOf(onB, sent.assistantMessage.id)
      await fromB.waitFor((e) => e.data.type === 'delta')
      redis.kill('SIGKILL')
      await new Promise((resolve) => redis.once('exit', resolve))
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      redis = await privateRedis(port)
      const full = loremText(tokens)
      expect(await stream.settled(60_000)).toBe('completed')
      expect(finalMessage(stream.events)).toMatchObject({ status: 'completed', content: full })
      expect(await fromB.settled(60_000)).toBe('completed')
      expect(finalMessage(fromB.events)).toMatchObject({ status: 'completed', content: full })
      expect(deltaText(fromB.events)).toBe(full)
      const row = await storedAnswer(sent.assistantMessage.id)
      expect(row).toEqual({ status: 'completed', content: full })
      // Back to normal: health is ok again and a new answer goes through on B.
      await eventually(async () =>
        (await onB.health.query().catch(() => null))?.redis === 'ok' ? true : undefined,
      )
      const next = await sendAndStream(onB, {
        clientMessageId: randomUUID(),
        conversationId: sent.conversation.id,
        content: 'after',
        model: 'fake/echo',
      })
      expect(await next.stream.settled()).toBe('completed')
    } finally {
      redis.kill('SIGKILL')
    }
  })
})

/** A redis-server of this test's own, without persistence; resolves once it answers. */
async function privateRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', ''],
    {
      stdio: 'ignore',
    },
  )
  await eventually(
    () =>
      new Promise<true | undefined>((resolve) => {
        const ping = spawn('redis-cli', ['-p', String(port), 'ping'], {
          stdio: ['ignore', 'pipe', 'ignore'],
        })
        let out = ''
        ping.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
        ping.once('exit', () => resolve(out.includes('PONG') ? true : undefined))
      }),
  )
  return child
}
