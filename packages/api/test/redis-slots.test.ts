import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import type { ConcurrencyLimiter } from '../src/chat/limiter'
import type { RedisHub } from '../src/chat/redis/hub'
import { createRedisLimiter } from '../src/chat/redis/limiter'
import { waitFor } from './support/engine'
import { redisInstances } from './support/hubs'

type Limited = { hub: RedisHub; limiter: ConcurrencyLimiter }

/** Concurrent answers per user across instances: two instances' limiters on one Redis. */
describe('concurrency slots on Redis', () => {
  const { instances, close } = redisInstances()
  const [a, b] = instances.map(({ redis, hub }) => ({
    hub,
    limiter: createRedisLimiter(redis, hub),
  })) as [Limited, Limited]
  const redis = instances[0].redis
  afterAll(close)

  it('one limit for both; a retry keeps its slot; a release frees one', async () => {
    const userId = randomUUID()
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()] as const
    for (const id of ids.slice(0, 3))
      expect(await a.limiter.acquire(userId, id, 3)).toEqual({ ok: true })
    expect(await b.limiter.acquire(userId, ids[3], 3)).toEqual({ ok: false, active: 3 })
    // The same answer asking again (a retried turn) still holds its slot, at the limit too.
    expect(await b.limiter.acquire(userId, ids[0], 3)).toEqual({ ok: true })
    expect(await redis.zcard(a.hub.keys.slots(userId))).toBe(3)
    await a.limiter.release(userId, ids[1])
    expect(await b.limiter.acquire(userId, ids[3], 3)).toEqual({ ok: true })
    expect(await a.limiter.acquire(userId, randomUUID(), 3)).toEqual({ ok: false, active: 3 })
    // Another user has their own slots.
    expect(await a.limiter.acquire(randomUUID(), ids[1], 3)).toEqual({ ok: true })
  })

  it('a slot that lapsed (its owner stopped renewing it) is free again', async () => {
    const userId = randomUUID()
    const key = a.hub.keys.slots(userId)
    await redis.zadd(key, '1', 'gone-1', '2', 'gone-2')
    expect(await a.limiter.acquire(userId, randomUUID(), 2)).toEqual({ ok: true })
    expect(await redis.zrange(key, '0', '-1')).not.toContain('gone-1')
  })

  it('the owner renews the slots of its live answers, one user at a time, and never a released one', async () => {
    const userId = randomUUID()
    const key = a.hub.keys.slots(userId)
    const answers = [randomUUID(), randomUUID(), randomUUID()]
    for (const messageId of answers) {
      await a.hub.open({ messageId, userId, conversationId: randomUUID() })
      expect(await a.limiter.acquire(userId, messageId, 3)).toEqual({ ok: true })
    }
    const [kept, alsoKept, released] = answers as [string, string, string]
    await a.limiter.release(userId, released)
    const before = Number(await redis.zscore(key, kept))
    // Renewals come with every third heartbeat (4.5 s).
    await waitFor(
      async () => Number(await redis.zscore(key, kept)) > before,
      'the slots to be renewed',
      10_000,
    )
    expect(Number(await redis.zscore(key, alsoKept))).toBeGreaterThan(before)
    expect(await redis.zscore(key, released)).toBeNull()
    expect(await redis.pttl(key)).toBeGreaterThan(5_000)
  }, 15_000)
})
