import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import pino from 'pino'
import type { Hub } from '../../src/chat/hub'
import { createInProcessHub } from '../../src/chat/hub-memory'
import { createRedisHub } from '../../src/chat/redis/hub'

/** The Redis the tests use (a unique key prefix per hub; its keys are deleted on close). */
export const testRedisUrl = process.env.T3CHAT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A Redis client for tests, and a prefix no other test run shares. */
export function testRedis(): { redis: Redis; keyPrefix: string; cleanup: () => Promise<void> } {
  const redis = new Redis(testRedisUrl, { lazyConnect: false })
  const keyPrefix = `t3chat-test:${randomUUID().slice(0, 8)}:`
  return {
    redis,
    keyPrefix,
    cleanup: async () => {
      const found = await redis.keys(`${keyPrefix}*`)
      if (found.length > 0) await redis.del(...found)
      redis.disconnect()
    },
  }
}

/** Every hub implementation the contract suite runs against. */
export function hubImplementations(): { name: string; create: () => Promise<Hub> }[] {
  return [
    {
      name: 'in-process',
      create: () => Promise.resolve(createInProcessHub({ frameIntervalMs: 20 })),
    },
    {
      name: 'redis',
      create: () => {
        const { redis, keyPrefix, cleanup } = testRedis()
        const hub = createRedisHub({
          redis,
          keyPrefix,
          frameIntervalMs: 20,
          logger: pino({ level: 'silent' }),
        })
        const closeHub = hub.close.bind(hub)
        return Promise.resolve(
          Object.assign(hub, {
            async close() {
              await closeHub()
              await cleanup()
            },
          }),
        )
      },
    },
  ]
}
