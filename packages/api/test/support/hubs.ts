import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import pino from 'pino'
import type { AnswerKey, Hub } from '../../src/chat/hub'
import { createInProcessHub } from '../../src/chat/hub-memory'
import { createRedisHub, type RedisHub } from '../../src/chat/redis/hub'
import type { Message } from '../../src/shapes'

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

/**
 * A hub, and a peer: another instance that sees the same answers and events (for the
 * in-process hub, which is one process, the same hub).
 */
export interface HubPair {
  hub: Hub
  peer: Hub
  close(): Promise<void>
}

/** Every hub implementation the contract suite runs against. */
export function hubImplementations(): { name: string; create: () => Promise<HubPair> }[] {
  return [
    {
      name: 'in-process',
      create: () => {
        const hub = createInProcessHub({ frameIntervalMs: 20 })
        return Promise.resolve({ hub, peer: hub, close: () => hub.close() })
      },
    },
    {
      name: 'redis',
      create: () => {
        const { instances, close } = redisInstances()
        const [{ hub }, { hub: peer }] = instances
        return Promise.resolve({ hub, peer, close })
      },
    },
  ]
}

/**
 * Two Redis hubs on one Redis and one key prefix, each with its own client: two instances of
 * a deployment. `close` closes both and deletes their keys.
 */
export function redisInstances(): {
  instances: [RedisInstance, RedisInstance]
  close: () => Promise<void>
} {
  const { redis, keyPrefix, cleanup } = testRedis()
  const instance = (client: Redis): RedisInstance => ({
    redis: client,
    hub: createRedisHub({
      redis: client,
      keyPrefix,
      frameIntervalMs: 20,
      logger: pino({ level: 'silent' }),
    }),
  })
  const instances: [RedisInstance, RedisInstance] = [instance(redis), instance(redis.duplicate())]
  return {
    instances,
    close: async () => {
      await Promise.all(instances.map(({ hub }) => hub.close()))
      await cleanup()
    },
  }
}

export interface RedisInstance {
  redis: Redis
  hub: RedisHub
}

/** A completed answer's final message with `content`, as its owner would send it. */
export function finalMessage(key: AnswerKey, content: string): Message {
  return {
    id: key.messageId,
    conversationId: key.conversationId,
    parentId: null,
    branch: { index: 1, count: 1 },
    seq: 2,
    role: 'assistant',
    content,
    model: 'fake/echo',
    status: 'completed',
    error: null,
    usage: null,
    createdAt: new Date().toISOString(),
    completedAt: new Date().toISOString(),
  }
}
