import { mintLocalToken, type LocalAuth } from '@t3chat/auth'

const LIFETIME_SEC = 12 * 60 * 60
const RENEW_BEFORE_MS = 60 * 60 * 1000

/**
 * A `getToken` for a local-auth server: mints a short-lived token with the local secret and
 * mints a new one an hour before it expires, so a long session never sends an expired token.
 */
export function localTokenProvider(
  auth: LocalAuth,
  now: () => number = Date.now,
): () => Promise<string> {
  let current: { token: string; renewAt: number } | null = null
  let pending: Promise<string> | null = null
  return async () => {
    if (current !== null && now() < current.renewAt) return current.token
    pending ??= mintLocalToken(auth, { expiresInSec: LIFETIME_SEC })
      .then((token) => {
        current = { token, renewAt: now() + LIFETIME_SEC * 1000 - RENEW_BEFORE_MS }
        return token
      })
      .finally(() => {
        pending = null
      })
    return pending
  }
}
