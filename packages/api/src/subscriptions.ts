import { TRPCError } from '@trpc/server'
import { RateLimitError } from './errors'

/** Caps on open subscriptions (per user on this instance, and per WebSocket connection). */
export interface SubscriptionLimits {
  perUser: number
  perConnection: number
}

/** Counts one connection's open subscriptions (a WebSocket carries many; SSE one each). */
export interface ConnectionCount {
  open: number
}

/**
 * Wraps a subscription's events: refuses it past the caps (TOO_MANY_REQUESTS), and ends it
 * with UNAUTHORIZED when the token it was opened with expires — a feed must not outlive the
 * session that opened it.
 */
export function createSubscriptionGuard(limits: SubscriptionLimits) {
  const byUser = new Map<string, number>()

  return async function* guard<T>(
    source: AsyncIterable<T>,
    opts: { userId: string; expiresAt: number; connection: ConnectionCount },
  ): AsyncGenerator<T, void, undefined> {
    const { userId, connection } = opts
    const open = byUser.get(userId) ?? 0
    if (open >= limits.perUser)
      throw new RateLimitError(
        `Too many open subscriptions: at most ${limits.perUser} per user. Close some first.`,
      )
    if (connection.open >= limits.perConnection)
      throw new RateLimitError(
        `Too many subscriptions on this connection: at most ${limits.perConnection}. Close some first.`,
      )
    byUser.set(userId, open + 1)
    connection.open++
    const iterator = source[Symbol.asyncIterator]()
    let expired = Date.now() >= opts.expiresAt
    let expire: (() => void) | null = null
    // One timer per subscription; each wait gets its own promise, so nothing accumulates.
    const timer = setTimeout(
      () => {
        expired = true
        expire?.()
      },
      Math.max(0, Math.min(opts.expiresAt - Date.now(), 2 ** 31 - 1)),
    )
    const EXPIRED = Symbol('expired')
    try {
      for (;;) {
        if (expired) break
        const step = await new Promise<IteratorResult<T> | typeof EXPIRED>((resolve, reject) => {
          expire = () => resolve(EXPIRED)
          iterator.next().then(resolve, reject)
        })
        expire = null
        if (step === EXPIRED) break
        if (step.done === true) return
        yield step.value
      }
      void iterator.return?.()
      throw new TRPCError({
        code: 'UNAUTHORIZED',
        message: 'Access token expired: sign in again or refresh the session, then resubscribe',
      })
    } finally {
      clearTimeout(timer)
      connection.open--
      const left = (byUser.get(userId) ?? 1) - 1
      if (left <= 0) byUser.delete(userId)
      else byUser.set(userId, left)
    }
  }
}

export type SubscriptionGuard = ReturnType<typeof createSubscriptionGuard>
