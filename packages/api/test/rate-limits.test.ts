import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createRateLimits, type RateLimitConfig } from '../src/index'
import { useHarness } from './harness'
import { expectTRPCError } from './support/core-errors'
import { countRows } from './support/core-db'
import { finalMessage } from './support/engine'

// Regression: one user created 235 conversations/s and started 80 answers/s.

const h = useHarness({
  config: {
    rateLimits: { sendsPerMin: 3, callsPerMin: 40, conversationsPerMin: 2, shareViewsPerMin: 60 },
  },
})

describe('per-user rate limits', () => {
  it('answers started per minute: chat.send and chat.regenerate share RATE_LIMIT_SENDS_PER_MIN', async () => {
    const { caller } = await h.user()
    const conversation = await caller.conversation.create({})
    const send = () =>
      caller.chat.send({
        conversationId: conversation.id,
        clientMessageId: randomUUID(),
        content: 'hi',
        model: 'fake/lorem:tokens=1',
      })
    await finalMessage(caller, (await send()).assistantMessage.id)
    const regenerated = await caller.chat.regenerate({
      conversationId: conversation.id,
      clientMessageId: randomUUID(),
    })
    await finalMessage(caller, regenerated.assistantMessage.id)
    await finalMessage(caller, (await send()).assistantMessage.id)
    const before = await countRows(h.db, 'messages')
    const error = await expectTRPCError(send(), 'TOO_MANY_REQUESTS', 'at most 3 a minute')
    expect(error.cause).toMatchObject({ retryAfterMs: expect.any(Number) })
    expect(await countRows(h.db, 'messages')).toBe(before)
    // Another user is not affected.
    const other = await h.user()
    await expect(other.caller.conversation.list()).resolves.toBeDefined()
  })

  it('conversations created per minute, chat.send without a conversation included', async () => {
    const { caller } = await h.user()
    await caller.conversation.create({})
    await caller.chat.send({ clientMessageId: randomUUID(), content: 'hi' })
    await expectTRPCError(caller.conversation.create({}), 'TOO_MANY_REQUESTS', 'conversations')
    expect((await caller.conversation.list()).items).toHaveLength(2)
  })

  it('all calls per minute', async () => {
    const { caller } = await h.user()
    for (let i = 0; i < 40; i++) await caller.user.me()
    await expectTRPCError(caller.user.me(), 'TOO_MANY_REQUESTS', 'calls')
  })
})

describe('the Redis store', () => {
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 })
  afterAll(async () => {
    await redis.quit()
  })

  it('one limit across instances (two limiters on the same Redis)', async () => {
    const prefix = `t3chat-test:${randomUUID()}`
    const config: RateLimitConfig = {
      sendsPerMin: 2,
      callsPerMin: 0,
      conversationsPerMin: 0,
      shareViewsPerMin: 0,
    }
    const a = createRateLimits(config, redis, prefix)
    const b = createRateLimits(config, redis, prefix)
    const user = randomUUID()
    await a.consume('sendsPerMin', user)
    await b.consume('sendsPerMin', user)
    await expect(a.consume('sendsPerMin', user)).rejects.toMatchObject({
      name: 'RateLimitError',
      retryAfterMs: expect.any(Number),
    })
    await redis.del(`${prefix}:sendsPerMin:${user}`)
  })
})
