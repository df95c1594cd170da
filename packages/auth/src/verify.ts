import {
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type CryptoKey,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose'
import {
  AUTHENTICATED,
  LOCAL_ISSUER,
  supabaseIssuer,
  userFromClaims,
  type AuthUser,
} from './claims'
import { AuthError, AuthKeysUnavailableError } from './errors'

export type { AuthUser } from './claims'
export { AuthError, AuthKeysUnavailableError, type AuthFailureReason } from './errors'

/** How access tokens are checked. */
export type AuthConfig =
  | {
      mode: 'supabase'
      /** The project URL, e.g. `https://<ref>.supabase.co` (a trailing slash is fine). */
      supabaseUrl: string
      /** The legacy HS256 "JWT secret"; enables HS256 tokens. Empty or null: HS256 is refused. */
      jwtSecret?: string | null
      /** Verify ES256/RS256 tokens against `<supabaseUrl>/auth/v1/.well-known/jwks.json`. Default true. */
      useJwks?: boolean
      /** Leeway for `exp`/`nbf` in seconds. Default 30. */
      clockToleranceSec?: number
      /** JWKS request timeout. Default 5000 ms. */
      fetchTimeoutMs?: number
      /** After a JWKS fetch, an unknown `kid` triggers no new fetch for this long. Default 30 000 ms. */
      jwksCooldownMs?: number
      /** Cached keys are refetched after this long. Default 600 000 ms (10 min). */
      jwksCacheMaxAgeMs?: number
      /** Verified tokens remembered until their `exp` (least recently used dropped). Default 10 000; 0: none. */
      cacheSize?: number
    }
  | {
      mode: 'local'
      /** HS256 secret from the data directory (at least 32 bytes). */
      secret: Uint8Array
      clockToleranceSec?: number
      /** Verified tokens remembered until their `exp` (least recently used dropped). Default 10 000; 0: none. */
      cacheSize?: number
    }

/** Checks access tokens. Safe to share across requests; JWKS fetches are cached and deduplicated. */
export interface TokenVerifier {
  /**
   * Resolves to the token's user, or rejects with `AuthError` (the caller's fault: UNAUTHORIZED)
   * or `AuthKeysUnavailableError` (the signing keys could not be fetched: a server error).
   */
  verify(token: string): Promise<AuthUser>
}

type Algorithm = 'ES256' | 'RS256' | 'HS256'
type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>

/** Real tokens are ~1 KB; refusing huge ones early keeps parsing cheap for garbage input. */
const MAX_TOKEN_LENGTH = 16 * 1024
const DEFAULT_CLOCK_TOLERANCE_SEC = 30
const DEFAULT_CACHE_SIZE = 10_000
/** Longer tokens are verified every time instead of being remembered. */
const MAX_CACHED_TOKEN_LENGTH = 4096
const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i

/**
 * Parses an Authorization header value (`Bearer <token>`, scheme case-insensitive).
 * Throws `AuthError('missing')` when absent or blank, `AuthError('malformed')` otherwise.
 */
export function bearerToken(header: string | null | undefined): string {
  if (header === null || header === undefined || header.trim() === '') {
    throw new AuthError(
      'missing',
      'Missing access token: send an "Authorization: Bearer <access token>" header',
    )
  }
  const match = BEARER.exec(header.trim())
  const token = match?.[1]
  if (token === undefined) {
    throw new AuthError(
      'malformed',
      'Malformed Authorization header: expected "Bearer <access token>"',
    )
  }
  return token
}

/**
 * Builds the access-token verifier for the configured mode.
 *
 * Supabase mode accepts ES256/RS256 tokens signed by a key in the project's JWKS and, when
 * `jwtSecret` is set, HS256 tokens signed with it; local mode accepts HS256 tokens signed with
 * the data directory's secret (`iss` `t3chat-local`). Both require `aud` to include
 * `authenticated`, `role` = `authenticated` and a UUID `sub`. Throws on an unusable config.
 *
 * @example
 * const verifier = createTokenVerifier({ mode: 'supabase', supabaseUrl: env.SUPABASE_URL })
 * const user = await verifier.verify(bearerToken(req.headers.authorization))
 */
export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  const clockTolerance = config.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0) {
    throw new TypeError('clockToleranceSec must be a non-negative number of seconds')
  }
  const { issuer, algorithms, getKey } =
    config.mode === 'local' ? localKeys(config.secret) : supabaseKeys(config)
  const cacheSize = config.cacheSize ?? DEFAULT_CACHE_SIZE
  if (!Number.isInteger(cacheSize) || cacheSize < 0) {
    throw new TypeError('cacheSize must be a non-negative integer')
  }
  // A token is the same bytes every request: its signature and claims need checking once.
  // Only successes are kept (keyed by the whole token, signature included), each until its
  // `exp` plus the clock tolerance — the moment jose would start refusing it.
  const verified = new Map<string, AuthUser>()
  const toleranceMs = clockTolerance * 1000

  return {
    async verify(token: string): Promise<AuthUser> {
      if (typeof token !== 'string' || token === '') {
        throw new AuthError('missing', 'Missing access token: sign in first')
      }
      if (token.length > MAX_TOKEN_LENGTH) {
        throw new AuthError('malformed', 'Malformed access token (too long): sign in again')
      }
      const known = verified.get(token)
      if (known !== undefined) {
        verified.delete(token)
        if (Date.now() < known.expiresAt + toleranceMs) {
          verified.set(token, known)
          return { ...known }
        }
      }
      const user = await verifyToken(token)
      if (cacheSize > 0 && token.length <= MAX_CACHED_TOKEN_LENGTH) {
        if (verified.size >= cacheSize) {
          const oldest = verified.keys().next()
          if (oldest.done !== true) verified.delete(oldest.value)
        }
        verified.set(token, user)
      }
      return { ...user }
    },
  }

  async function verifyToken(token: string): Promise<AuthUser> {
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, getKey, {
        issuer,
        audience: AUTHENTICATED,
        algorithms,
        clockTolerance,
        requiredClaims: ['exp'],
      }))
    } catch (error) {
      throw translate(error, issuer)
    }
    return userFromClaims(payload)
  }
}

function localKeys(secret: Uint8Array) {
  if (!(secret instanceof Uint8Array) || secret.byteLength < 32) {
    throw new TypeError('Local auth secret must be at least 32 bytes')
  }
  const key = hmacKey(secret)
  const getKey: KeyResolver = (header) => {
    if (header.alg !== 'HS256') return Promise.reject(unsupportedAlgorithm())
    return key
  }
  return { issuer: LOCAL_ISSUER, algorithms: ['HS256'] satisfies Algorithm[], getKey }
}

function supabaseKeys(config: Extract<AuthConfig, { mode: 'supabase' }>) {
  const issuer = supabaseIssuer(config.supabaseUrl)
  const secretKey =
    config.jwtSecret !== undefined && config.jwtSecret !== null && config.jwtSecret !== ''
      ? hmacKey(new TextEncoder().encode(config.jwtSecret))
      : null
  const jwksUrl = new URL(`${issuer}/.well-known/jwks.json`)
  const jwks =
    config.useJwks === false
      ? null
      : createRemoteJWKSet(jwksUrl, {
          ...(config.fetchTimeoutMs !== undefined && { timeoutDuration: config.fetchTimeoutMs }),
          ...(config.jwksCooldownMs !== undefined && { cooldownDuration: config.jwksCooldownMs }),
          ...(config.jwksCacheMaxAgeMs !== undefined && { cacheMaxAge: config.jwksCacheMaxAgeMs }),
        })
  if (!jwks && !secretKey) {
    throw new TypeError('Supabase auth needs the JWKS (useJwks) or the JWT secret, or both')
  }
  const algorithms: Algorithm[] = [
    ...(jwks ? (['ES256', 'RS256'] as const) : []),
    ...(secretKey ? (['HS256'] as const) : []),
  ]

  // The key is chosen by the header's alg, and each alg has exactly one key source: HS256 never
  // sees a public key's bytes, which is what blocks algorithm confusion.
  const getKey: KeyResolver = async (header, token) => {
    if (header.alg === 'HS256') {
      if (secretKey) return secretKey
      throw new AuthError(
        'invalid',
        'Access token is signed with HS256, which this server does not accept (no Supabase JWT secret configured): sign in again',
      )
    }
    if ((header.alg === 'ES256' || header.alg === 'RS256') && jwks) {
      try {
        return await jwks(header, token)
      } catch (error) {
        if (
          error instanceof errors.JWKSNoMatchingKey ||
          error instanceof errors.JWKSMultipleMatchingKeys
        ) {
          throw new AuthError(
            'invalid',
            'Access token is signed by a key this project does not publish: sign in again',
          )
        }
        throw new AuthKeysUnavailableError(
          `Could not load the Supabase signing keys from ${jwksUrl.href}: check SUPABASE_URL and that the server can reach it`,
          { cause: error },
        )
      }
    }
    throw unsupportedAlgorithm()
  }
  return { issuer, algorithms, getKey }
}

/** Imported once: handing jose raw bytes would re-import the key on every verification. */
function hmacKey(secret: Uint8Array): Promise<CryptoKey> {
  const key = crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ])
  // Import errors surface on the first verify; this only keeps an unhandled rejection away.
  key.catch(() => undefined)
  return key
}

function unsupportedAlgorithm(): AuthError {
  return new AuthError(
    'invalid',
    'Access token is signed with an algorithm this server does not accept: sign in again',
  )
}

/** Maps jose's errors to our reasons; jose's own messages and payloads are dropped on purpose. */
function translate(error: unknown, issuer: string): Error {
  if (error instanceof AuthError || error instanceof AuthKeysUnavailableError) return error
  if (error instanceof errors.JWTExpired) {
    return new AuthError('expired', 'Access token expired: sign in again or refresh the session')
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return new AuthError(
          'not_yet_valid',
          'Access token is not valid yet: check that the client and server clocks are right',
        )
      case 'iss':
        return new AuthError(
          'claims',
          `Access token was issued by another server (expected issuer ${issuer}): sign in against this server`,
        )
      case 'aud':
        return new AuthError(
          'claims',
          'Access token is not meant for this API (audience must include "authenticated"): sign in again',
        )
      case 'exp':
        return new AuthError(
          'claims',
          'Access token has no valid expiry (exp): sign in again to get a session token',
        )
      default:
        return new AuthError(
          'claims',
          `Access token has an invalid "${error.claim}" claim: sign in again`,
        )
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthError(
      'invalid',
      'Access token signature is invalid: sign in again to get a token from this server',
    )
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return unsupportedAlgorithm()
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new AuthError('malformed', 'Malformed access token: sign in again')
  }
  if (error instanceof errors.JOSEError) {
    return new AuthError('invalid', 'Access token could not be verified: sign in again')
  }
  return error instanceof Error ? error : new Error(String(error))
}
