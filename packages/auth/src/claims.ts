import type { JWTPayload } from 'jose'
import { AuthError } from './errors'

/** `iss` of tokens minted by local mode. */
export const LOCAL_ISSUER = 't3chat-local'
/** The `aud` and `role` a Supabase session token carries for a signed-in user. */
export const AUTHENTICATED = 'authenticated'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The user a verified access token belongs to. */
export interface AuthUser {
  /** Lower-case UUID: the Supabase auth user id (the token's `sub`). */
  id: string
  email: string | null
  /** True for Supabase anonymous sign-ins: real users without an email. */
  isAnonymous: boolean
  /** When the token expires (ms since the epoch, its `exp`): subscriptions end then. */
  expiresAt: number
}

/** True when `value` is a UUID string (any version, either case). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}

/** `<supabaseUrl>/auth/v1`, with trailing slashes on the URL ignored. Throws on a non-http(s) URL. */
export function supabaseIssuer(supabaseUrl: string): string {
  const base = supabaseUrl.trim().replace(/\/+$/, '')
  let parsed: URL
  try {
    parsed = new URL(base)
  } catch {
    throw new TypeError(
      'Supabase URL is not a valid URL: expected e.g. https://<project>.supabase.co',
    )
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError('Supabase URL must start with https:// (or http:// for a local stack)')
  }
  return `${base}/auth/v1`
}

const API_KEY_ROLES = new Set(['anon', 'service_role'])

/**
 * Applies the user-session rules that a signature and the standard claims cannot express:
 * `role` must be `authenticated` (API keys are refused) and `sub` a UUID.
 */
export function userFromClaims(payload: JWTPayload): AuthUser {
  const role = payload['role']
  if (role !== AUTHENTICATED) {
    // Only echo roles we know; anything else in the token is attacker-controlled text.
    if (typeof role === 'string' && API_KEY_ROLES.has(role)) {
      throw new AuthError(
        'claims',
        `This is a Supabase API key (role "${role}"), not a user's access token: sign in and send the session's access token`,
      )
    }
    throw new AuthError(
      'claims',
      'Access token is not for a signed-in user (role must be "authenticated"): sign in again',
    )
  }
  if (payload.sub === undefined) {
    throw new AuthError('claims', 'Access token has no subject (sub): sign in again')
  }
  if (!isUuid(payload.sub)) {
    throw new AuthError('claims', 'Access token subject (sub) is not a user id: sign in again')
  }
  const email = payload['email']
  return {
    id: payload.sub.toLowerCase(),
    email: typeof email === 'string' && email.length > 0 ? email : null,
    isAnonymous: payload['is_anonymous'] === true,
    // Verification requires `exp`; a missing one would have been refused before.
    expiresAt: (payload.exp ?? 0) * 1000,
  }
}
