/** Waits `ms`, or less when `signal` aborts; resolves either way. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const onAbort = (): void => {
      clearTimeout(timer)
      resolve()
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Retry policy shared by streams and one-shot calls. */
export interface RetryPolicy {
  maxRetries: number
  baseMs: number
  maxDelayMs: number
}

/**
 * How long to wait before retry number `attempt` (0-based): the server's `Retry-After` when
 * given (capped), else exponential backoff with jitter so that many streams failing together
 * do not come back together.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | null,
): number {
  if (retryAfterMs !== null) return Math.min(retryAfterMs, policy.maxDelayMs)
  const exp = Math.min(policy.baseMs * 2 ** attempt, policy.maxDelayMs)
  return Math.round(exp * (0.5 + Math.random() * 0.5))
}
