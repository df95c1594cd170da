/** Why an access token was refused. Stable: callers branch on it, messages may change. */
export type AuthFailureReason =
  'missing' | 'malformed' | 'invalid' | 'expired' | 'not_yet_valid' | 'claims'

/**
 * The caller's credentials were refused (map to UNAUTHORIZED). The message says what to do and
 * never contains the token or any value taken from it.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError'
  readonly reason: AuthFailureReason

  constructor(reason: AuthFailureReason, message: string) {
    super(message)
    this.reason = reason
  }
}

/**
 * The server could not fetch or use the Supabase signing keys (JWKS unreachable, timed out, or
 * not a valid key set). This is the server's problem, not the caller's token, so it is not an
 * `AuthError`: treat it as an internal error and do not sign the user out.
 */
export class AuthKeysUnavailableError extends Error {
  override readonly name = 'AuthKeysUnavailableError'
}
