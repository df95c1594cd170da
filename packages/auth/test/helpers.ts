import { expect } from 'vitest'
import { AuthError, type AuthFailureReason } from '../src/index'

/** Asserts that `promise` rejects with an AuthError of `reason` whose message leaks no token. */
export async function expectAuthError(
  promise: Promise<unknown>,
  reason: AuthFailureReason,
  token?: string,
): Promise<AuthError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AuthError)
  const authError = error as AuthError
  expect(authError.reason).toBe(reason)
  if (token !== undefined && token.length > 0) {
    expect(authError.message).not.toContain(token)
    for (const part of token.split('.')) {
      if (part.length > 8) expect(authError.message).not.toContain(part)
    }
  }
  return authError
}

/** Seconds since the epoch, as JWTs count time. */
export function nowSec(): number {
  return Math.floor(Date.now() / 1000)
}

/** base64url of a JSON value, for hand-made tokens. */
export function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}
