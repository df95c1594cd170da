import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { RateLimitError } from '../errors'

/**
 * Takes one point for `key`, or throws RateLimitError saying when to retry. The limiter's own
 * failures (not a refusal) propagate as they are.
 */
export async function consumeOrThrow(
  limiter: RateLimiterAbstract,
  key: string,
  what: string,
): Promise<void> {
  try {
    await limiter.consume(key)
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error
    const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000))
    throw new RateLimitError(`Too many ${what}: retry in ${seconds} s.`)
  }
}
