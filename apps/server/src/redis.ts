import { Redis } from 'ioredis'
import type { Logger } from 'pino'

/** How long start-up waits for Redis before giving up (exit 1 naming REDIS_URL). */
const CONNECT_TIMEOUT_MS = 3_000

/** Thrown when the configured Redis does not answer at start. */
export class RedisUnreachableError extends Error {}

/**
 * Connects the instance's Redis client (shared by the hub, the limits and anything else that
 * takes `deps.redis`) and checks that Redis answers. Commands fail within a couple of seconds
 * while Redis is away, so no request hangs on it; the hub's blocking reader and pub/sub
 * connections wait for Redis to come back instead. The URL is never logged (it may carry a
 * password).
 */
export async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 1,
  })
  let down = false
  redis.on('error', (error: Error) => {
    if (!down) logger.warn({ err: { message: error.message } }, 'Redis unreachable')
    down = true
  })
  redis.on('ready', () => {
    if (down) logger.info('Redis reachable again')
    down = false
  })
  try {
    await redis.connect()
    await redis.ping()
  } catch (error) {
    redis.disconnect()
    const reason = error instanceof Error ? error.message : String(error)
    throw new RedisUnreachableError(
      `REDIS_URL: Redis did not answer at start (${reason}); start it, or unset REDIS_URL to run as one process.`,
    )
  }
  return redis
}
