import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import type { RateLimiterAbstract } from 'rate-limiter-flexible'
import { RateLimitError } from './errors'

/** What a user (or, for share views, a client address) may do per minute; 0 turns a limit off. */
export interface RateLimitConfig {
  /** Answers started (chat.send, chat.regenerate). */
  sendsPerMin: number
  /** Every authenticated call and subscription. */
  callsPerMin: number
  /** Conversations created (conversation.create, chat.send without a conversation). */
  conversationsPerMin: number
  /** Public `share.get` calls, per client address (unknown tokens count too). */
  shareViewsPerMin: number
}

export type RateLimitKind = keyof RateLimitConfig

/**
 * Rate limits; `consume` takes one point for `key` (a user id, or a client address for
 * share views) and throws RateLimitError (TOO_MANY_REQUESTS with retryAfterMs) beyond.
 */
export interface RateLimits {
  consume(kind: RateLimitKind, key: string): Promise<void>
}

const WHAT: Record<RateLimitKind, string> = {
  sendsPerMin: 'answers started',
  callsPerMin: 'calls',
  conversationsPerMin: 'conversations created',
  shareViewsPerMin: 'share link views',
}

/**
 * Builds the limiters (rate-limiter-flexible): in memory, or in Redis when a client is given,
 * so the limits hold across instances. While Redis is unreachable each instance falls back to
 * its own memory limiter rather than refusing or waving everything through.
 *
 * @example
 * const limits = createRateLimits({ ...defaultApiConfig.rateLimits, sendsPerMin: 20 }, null)
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
    async consume(kind, key) {
      const limiter = limiters.get(kind)
      if (limiter === undefined) return
      try {
        await limiter.consume(key)
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
