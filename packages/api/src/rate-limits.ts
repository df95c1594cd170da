import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import type { RateLimiterAbstract } from 'rate-limiter-flexible'
import { RateLimitError } from './errors'

/** What a user may do per minute; 0 turns a limit off. */
export interface RateLimitConfig {
  /** Answers started (chat.send, chat.regenerate). */
  sendsPerMin: number
  /** Every authenticated call and subscription. */
  callsPerMin: number
  /** Conversations created (conversation.create, chat.send without a conversation). */
  conversationsPerMin: number
}

export type RateLimitKind = keyof RateLimitConfig

/** Per-user rate limits; `consume` throws RateLimitError (TOO_MANY_REQUESTS with retryAfterMs). */
export interface RateLimits {
  consume(kind: RateLimitKind, userId: string): Promise<void>
}

const WHAT: Record<RateLimitKind, string> = {
  sendsPerMin: 'answers started',
  callsPerMin: 'calls',
  conversationsPerMin: 'conversations created',
}

/**
 * Builds the limiters (rate-limiter-flexible): in memory, or in Redis when a client is given,
 * so the limits hold across instances. While Redis is unreachable each instance falls back to
 * its own memory limiter rather than refusing or waving everything through.
 *
 * @example
 * const limits = createRateLimits({ sendsPerMin: 20, callsPerMin: 600, conversationsPerMin: 30 }, null)
 * await limits.consume('sendsPerMin', user.id) // throws RateLimitError past 20 a minute
 */
export function createRateLimits(
  config: RateLimitConfig,
  redis: Redis | null,
  keyPrefix = 't3chat:rl',
): RateLimits {
  const limiters = new Map<RateLimitKind, RateLimiterAbstract>()
  for (const kind of Object.keys(WHAT) as RateLimitKind[]) {
    const points = config[kind]
    if (points <= 0) continue
    const options = { points, duration: 60, keyPrefix: `${keyPrefix}:${kind}` }
    const memory = new RateLimiterMemory(options)
    limiters.set(
      kind,
      redis === null
        ? memory
        : new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory }),
    )
  }
  return {
    async consume(kind, userId) {
      const limiter = limiters.get(kind)
      if (limiter === undefined) return
      try {
        await limiter.consume(userId)
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal
        const retryAfterMs = Math.max(1, Math.ceil(refusal.msBeforeNext))
        throw new RateLimitError(
          `Too many ${WHAT[kind]}: at most ${config[kind]} a minute. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`,
          retryAfterMs,
        )
      }
    },
  }
}
