import { createHmac } from 'node:crypto'
import { exportJWK, exportSPKI } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenVerifier, type TokenVerifier } from '../src/index'
import { createTestIssuer, type JwksServer, type TestIssuer } from '../src/testing'
import { b64json, expectAuthError, nowSec } from './helpers'

let issuer: TestIssuer
let server: JwksServer
/** JWKS only, as a new Supabase project is configured. */
let jwksVerifier: TokenVerifier
/** Legacy HS256 secret only (URL given with a trailing slash on purpose). */
let secretVerifier: TokenVerifier
/** Both, as a project that migrated to asymmetric keys. */
let bothVerifier: TokenVerifier

beforeAll(async () => {
  issuer = await createTestIssuer()
  server = await issuer.startJwksServer()
  jwksVerifier = createTokenVerifier({ mode: 'supabase', supabaseUrl: server.url })
  secretVerifier = createTokenVerifier({
    mode: 'supabase',
    supabaseUrl: `${server.url}/`,
    jwtSecret: issuer.hsSecret,
    useJwks: false,
  })
  bothVerifier = createTokenVerifier({
    mode: 'supabase',
    supabaseUrl: server.url,
    jwtSecret: issuer.hsSecret,
  })
})

afterAll(async () => {
  await server.close()
})

describe('supabase mode accepts', () => {
  it('an ES256 session token via the JWKS', async () => {
    const token = await issuer.sign({ email: 'ada@example.test' })
    await expect(jwksVerifier.verify(token)).resolves.toEqual({
      id: issuer.userId,
      email: 'ada@example.test',
      isAnonymous: false,
      expiresAt: expect.any(Number),
    })
    await expect(bothVerifier.verify(token)).resolves.toMatchObject({ id: issuer.userId })
  })

  it('an RS256 session token via the JWKS', async () => {
    const token = await issuer.sign({}, { alg: 'RS256' })
    await expect(jwksVerifier.verify(token)).resolves.toMatchObject({ id: issuer.userId })
  })

  it('an HS256 token signed with the legacy secret (trailing slash on the URL normalised)', async () => {
    const token = await issuer.sign({}, { alg: 'HS256' })
    expect(issuer.issuer).toBe(`${server.url}/auth/v1`)
    await expect(secretVerifier.verify(token)).resolves.toMatchObject({ id: issuer.userId })
    await expect(bothVerifier.verify(token)).resolves.toMatchObject({ id: issuer.userId })
  })

  it('aud as an array that includes authenticated', async () => {
    const token = await issuer.sign({ aud: ['some-other-api', 'authenticated'] })
    await expect(jwksVerifier.verify(token)).resolves.toMatchObject({ id: issuer.userId })
  })

  it('anonymous users, with an empty email read as null', async () => {
    const token = await issuer.sign({
      is_anonymous: true,
      email: '',
      amr: [{ method: 'anonymous' }],
    })
    await expect(jwksVerifier.verify(token)).resolves.toEqual({
      id: issuer.userId,
      email: null,
      isAnonymous: true,
      expiresAt: expect.any(Number),
    })
  })

  it('an upper-case sub, returned lower-case', async () => {
    const token = await issuer.sign({ sub: issuer.userId.toUpperCase() })
    await expect(jwksVerifier.verify(token)).resolves.toMatchObject({ id: issuer.userId })
  })

  it('exp and nbf within the clock tolerance', async () => {
    const now = nowSec()
    const token = await issuer.sign({ exp: now - 10, nbf: now + 10, iat: now - 3610 })
    await expect(jwksVerifier.verify(token)).resolves.toMatchObject({ id: issuer.userId })
  })
})

describe('supabase mode rejects', () => {
  it('garbage', async () => {
    await expectAuthError(jwksVerifier.verify('not-a-jwt'), 'malformed')
    await expectAuthError(jwksVerifier.verify('a.b.c'), 'malformed')
    await expectAuthError(jwksVerifier.verify(`${b64json({ alg: 'ES256' })}.e30.!!`), 'malformed')
    await expectAuthError(jwksVerifier.verify(''), 'missing')
    await expectAuthError(jwksVerifier.verify('x'.repeat(20_000)), 'malformed')
  })

  it('an expired token, saying to sign in again', async () => {
    const now = nowSec()
    const token = await issuer.sign({ exp: now - 120, iat: now - 3720 })
    const error = await expectAuthError(jwksVerifier.verify(token), 'expired', token)
    expect(error.message).toMatch(/expired: sign in again/)
  })

  it('a token whose nbf is beyond the tolerance', async () => {
    const token = await issuer.sign({ nbf: nowSec() + 120 })
    await expectAuthError(jwksVerifier.verify(token), 'not_yet_valid', token)
  })

  it('a token without exp', async () => {
    const token = await issuer.sign({ exp: undefined })
    await expectAuthError(jwksVerifier.verify(token), 'claims', token)
  })

  it('a token signed by another key under the published kid', async () => {
    const other = await createTestIssuer({ supabaseUrl: server.url })
    const token = await other.sign({}, { kid: issuer.kid })
    await expectAuthError(jwksVerifier.verify(token), 'invalid', token)
    const tampered = await issuer.sign()
    const [header, , signature] = tampered.split('.')
    const forged = `${header}.${b64json({ ...decodePayload(tampered), sub: crypto.randomUUID() })}.${signature}`
    await expectAuthError(jwksVerifier.verify(forged), 'invalid', forged)
  })

  it('a token signed by a key the project does not publish', async () => {
    const other = await createTestIssuer({ supabaseUrl: server.url })
    const token = await other.sign()
    await expectAuthError(jwksVerifier.verify(token), 'invalid', token)
  })

  it('alg none, on every configuration', async () => {
    const now = nowSec()
    const claims = {
      iss: issuer.issuer,
      aud: 'authenticated',
      role: 'authenticated',
      sub: issuer.userId,
      exp: now + 3600,
      iat: now,
    }
    for (const alg of ['none', 'None', 'NONE']) {
      const token = `${b64json({ alg, typ: 'JWT' })}.${b64json(claims)}.`
      await expectAuthError(jwksVerifier.verify(token), 'invalid', token)
      await expectAuthError(secretVerifier.verify(token), 'invalid', token)
      await expectAuthError(bothVerifier.verify(token), 'invalid', token)
    }
  })

  it('HS256 signed with the public key bytes when only the JWKS is configured', async () => {
    const pem = await exportSPKI(issuer.publicKey)
    const jwkJson = JSON.stringify(await exportJWK(issuer.publicKey))
    const jwksJson = JSON.stringify(issuer.jwks)
    for (const keyText of [pem, jwkJson, jwksJson]) {
      const token = await issuer.sign({}, { alg: 'HS256', kid: issuer.kid, secret: keyText })
      await expectAuthError(jwksVerifier.verify(token), 'invalid', token)
      // With a secret configured too, the public key's bytes are still not the secret.
      await expectAuthError(bothVerifier.verify(token), 'invalid', token)
    }
  })

  it('HS256 with a wrong secret', async () => {
    const token = await issuer.sign(
      {},
      { alg: 'HS256', secret: 'not-the-project-secret-0123456789' },
    )
    await expectAuthError(secretVerifier.verify(token), 'invalid', token)
  })

  it('ES256 when only the secret is configured', async () => {
    const token = await issuer.sign()
    await expectAuthError(secretVerifier.verify(token), 'invalid', token)
  })

  it('a wrong issuer', async () => {
    for (const iss of [
      'https://other-project.supabase.co/auth/v1',
      `${server.url}/auth/v1/`,
      'supabase',
    ]) {
      const token = await issuer.sign({ iss })
      const error = await expectAuthError(jwksVerifier.verify(token), 'claims', token)
      expect(error.message).toContain(issuer.issuer)
    }
    await expectAuthError(jwksVerifier.verify(await issuer.sign({ iss: undefined })), 'claims')
  })

  it('a wrong audience', async () => {
    for (const aud of ['anon', ['other'], [], undefined]) {
      const token = await issuer.sign({ aud })
      await expectAuthError(jwksVerifier.verify(token), 'claims', token)
    }
  })

  it('role anon and service_role (no sub, like the API keys)', async () => {
    const apiKeyShape = {
      sub: undefined,
      email: undefined,
      session_id: undefined,
      is_anonymous: undefined,
    }
    for (const role of ['anon', 'service_role']) {
      const token = await issuer.sign({ ...apiKeyShape, role })
      const error = await expectAuthError(jwksVerifier.verify(token), 'claims', token)
      expect(error.message).toContain('not a user')
      const legacy = await issuer.sign({ ...apiKeyShape, role }, { alg: 'HS256' })
      await expectAuthError(secretVerifier.verify(legacy), 'claims', legacy)
    }
  })

  it('any other role', async () => {
    for (const role of [undefined, 'supabase_admin', 'AUTHENTICATED']) {
      const token = await issuer.sign({ role })
      await expectAuthError(jwksVerifier.verify(token), 'claims', token)
    }
  })

  it('a missing or non-uuid sub', async () => {
    await expectAuthError(jwksVerifier.verify(await issuer.sign({ sub: undefined })), 'claims')
    for (const sub of ['not-a-uuid', '', '12345', `${issuer.userId}x`]) {
      const token = await issuer.sign({ sub })
      await expectAuthError(jwksVerifier.verify(token), 'claims', token)
    }
  })
})

describe('configuration', () => {
  it('refuses an unusable config up front', () => {
    expect(() => createTokenVerifier({ mode: 'supabase', supabaseUrl: 'not a url' })).toThrow(
      /Supabase URL/,
    )
    expect(() => createTokenVerifier({ mode: 'supabase', supabaseUrl: 'ftp://x.example' })).toThrow(
      /https/,
    )
    expect(() =>
      createTokenVerifier({ mode: 'supabase', supabaseUrl: server.url, useJwks: false }),
    ).toThrow(/JWKS|secret/)
    expect(() =>
      createTokenVerifier({ mode: 'supabase', supabaseUrl: server.url, clockToleranceSec: -1 }),
    ).toThrow(/clockToleranceSec/)
  })

  it('treats an empty JWT secret as none, so HS256 stays refused', async () => {
    const verifier = createTokenVerifier({
      mode: 'supabase',
      supabaseUrl: server.url,
      jwtSecret: '',
    })
    const now = nowSec()
    const signingInput = `${b64json({ alg: 'HS256', typ: 'JWT' })}.${b64json({
      iss: issuer.issuer,
      aud: 'authenticated',
      role: 'authenticated',
      sub: issuer.userId,
      exp: now + 3600,
    })}`
    const signature = createHmac('sha256', '').update(signingInput).digest('base64url')
    const token = `${signingInput}.${signature}`
    await expectAuthError(verifier.verify(token), 'invalid', token)
  })
})

function decodePayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? ''
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>
}
