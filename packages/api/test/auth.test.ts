import { randomUUID } from 'node:crypto'
import { exportJWK, exportSPKI } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenVerifier } from '@t3chat/auth'
import { createTestIssuer, type JwksServer, type TestIssuer } from '@t3chat/auth/testing'
import { startHarness, type Harness } from './harness'
import { countRows } from './support/core-db'
import { expectTRPCError } from './support/core-errors'

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const nowSec = () => Math.floor(Date.now() / 1000)

let issuer: TestIssuer
let jwks: JwksServer
/** Supabase mode with both the JWKS and the legacy HS256 secret. */
let h: Harness

beforeAll(async () => {
  issuer = await createTestIssuer()
  jwks = await issuer.startJwksServer()
  h = await startHarness({
    verifier: createTokenVerifier({
      mode: 'supabase',
      supabaseUrl: jwks.url,
      jwtSecret: issuer.hsSecret,
    }),
  })
})
afterAll(async () => {
  await h?.close()
  await jwks?.close()
})

/** Claims of an `alg: none` token that would otherwise pass. */
function unsignedToken(alg: string): string {
  const now = nowSec()
  const claims = {
    iss: issuer.issuer,
    aud: 'authenticated',
    role: 'authenticated',
    sub: randomUUID(),
    exp: now + 3600,
    iat: now,
  }
  return `${b64json({ alg, typ: 'JWT' })}.${b64json(claims)}.`
}

/** A valid token with its signature replaced by another valid-looking one. */
async function tamperedSignature(): Promise<string> {
  const [header, payload] = (await issuer.sign({ sub: randomUUID() })).split('.')
  const [, , otherSignature] = (await issuer.sign({ sub: randomUUID() })).split('.')
  return `${header}.${payload}.${otherSignature}`
}

/** Signed by a key of another project that claims this project's current kid. */
async function foreignKey(): Promise<string> {
  const stranger = await createTestIssuer({ supabaseUrl: issuer.supabaseUrl })
  return stranger.sign({ sub: randomUUID() }, { kid: issuer.kid })
}

/** HS256 with the public key's bytes as the secret (algorithm confusion). */
async function confused(form: 'pem' | 'jwk'): Promise<string> {
  const keyText =
    form === 'pem'
      ? await exportSPKI(issuer.publicKey)
      : JSON.stringify(await exportJWK(issuer.publicKey))
  return issuer.sign({ sub: randomUUID() }, { alg: 'HS256', kid: issuer.kid, secret: keyText })
}

/** Every way to present a token that is not a signed-in user's session: header value or null. */
const rejected: Array<[string, () => string | null | Promise<string | null>]> = [
  ['missing header', () => null],
  ['empty header', () => ''],
  ['malformed header: Basic scheme', () => 'Basic dXNlcjpwYXNz'],
  ['malformed header: Bearer without token', () => 'Bearer'],
  ['malformed header: two tokens', async () => `Bearer ${await issuer.sign()} extra`],
  ['malformed header: token without scheme', () => issuer.sign()],
  ['garbage token', () => 'Bearer not-a-jwt'],
  ['garbage token with three parts', () => 'Bearer aaa.bbb.ccc'],
  [
    'expired',
    async () => `Bearer ${await issuer.sign({ sub: randomUUID(), exp: nowSec() - 3600 })}`,
  ],
  [
    'not yet valid',
    async () => `Bearer ${await issuer.sign({ sub: randomUUID(), nbf: nowSec() + 3600 })}`,
  ],
  ['wrong signature (swapped)', async () => `Bearer ${await tamperedSignature()}`],
  ['wrong signature (a foreign key with our kid)', async () => `Bearer ${await foreignKey()}`],
  [
    'HS256 with a wrong secret',
    async () =>
      `Bearer ${await issuer.sign({ sub: randomUUID() }, { alg: 'HS256', secret: 'not-the-project-secret-0123456789' })}`,
  ],
  ['alg none', () => `Bearer ${unsignedToken('none')}`],
  ['alg NONE', () => `Bearer ${unsignedToken('NONE')}`],
  ['HS256 signed with the public key (SPKI PEM)', async () => `Bearer ${await confused('pem')}`],
  ['HS256 signed with the public key (JWK JSON)', async () => `Bearer ${await confused('jwk')}`],
  [
    'wrong iss',
    async () =>
      `Bearer ${await issuer.sign({ sub: randomUUID(), iss: 'https://other.supabase.co/auth/v1' })}`,
  ],
  ['wrong aud', async () => `Bearer ${await issuer.sign({ sub: randomUUID(), aud: 'anon' })}`],
  ['no aud', async () => `Bearer ${await issuer.sign({ sub: randomUUID(), aud: undefined })}`],
  ['no exp', async () => `Bearer ${await issuer.sign({ sub: randomUUID(), exp: undefined })}`],
  [
    'role anon (the anon API key)',
    async () => `Bearer ${await issuer.sign({ role: 'anon', sub: undefined, email: undefined })}`,
  ],
  [
    'role anon with a sub',
    async () => `Bearer ${await issuer.sign({ role: 'anon', sub: randomUUID() })}`,
  ],
  [
    'role service_role (the service key)',
    async () =>
      `Bearer ${await issuer.sign({ role: 'service_role', sub: undefined, email: undefined })}`,
  ],
  [
    'role service_role with a sub',
    async () => `Bearer ${await issuer.sign({ role: 'service_role', sub: randomUUID() })}`,
  ],
  ['no role', async () => `Bearer ${await issuer.sign({ role: undefined, sub: randomUUID() })}`],
  ['missing sub', async () => `Bearer ${await issuer.sign({ sub: undefined })}`],
  ['sub not a UUID', async () => `Bearer ${await issuer.sign({ sub: 'admin' })}`],
]

describe('Supabase tokens that are refused: UNAUTHORIZED and no user row', () => {
  for (const [name, header] of rejected) {
    it(name, async () => {
      const authorization = await header()
      const users = await countRows(h.db, 'users')
      const caller = h.callerWith(authorization)
      const error = await expectTRPCError(caller.user.me(), 'UNAUTHORIZED')
      await expectTRPCError(caller.conversation.create({ title: 'sneaky' }), 'UNAUTHORIZED')
      expect(await countRows(h.db, 'users')).toBe(users)
      expect(await countRows(h.db, 'conversations')).toBe(0)
      // The message says what to do and never echoes the token.
      expect(error.message.length).toBeGreaterThan(10)
      const token = authorization?.replace(/^\S+\s+/, '') ?? ''
      for (const part of token.split('.')) {
        if (part.length > 8) expect(error.message).not.toContain(part)
      }
    })
  }
})

describe('Supabase tokens that are accepted create exactly one user row', () => {
  const accepted: Array<[string, (sub: string, email: string) => Promise<string>]> = [
    ['ES256 from the JWKS', (sub, email) => issuer.sign({ sub, email })],
    ['RS256 from the JWKS', (sub, email) => issuer.sign({ sub, email }, { alg: 'RS256' })],
    [
      'HS256 with the project secret',
      (sub, email) => issuer.sign({ sub, email }, { alg: 'HS256' }),
    ],
    [
      'aud as an array',
      (sub, email) => issuer.sign({ sub, email, aud: ['authenticated', 'other'] }),
    ],
  ]
  for (const [name, sign] of accepted) {
    it(name, async () => {
      const sub = randomUUID()
      const email = `${sub.slice(0, 8)}@example.test`
      const users = await countRows(h.db, 'users')
      const caller = h.callerWith(`Bearer ${await sign(sub, email)}`)

      await expect(caller.user.me()).resolves.toMatchObject({ id: sub, email })
      await caller.conversation.list()
      await caller.user.me()
      expect(await countRows(h.db, 'users')).toBe(users + 1)
      const rows = await h.db.selectFrom('users').selectAll().where('id', '=', sub).execute()
      expect(rows.map((r) => [r.id, r.email])).toEqual([[sub, email]])
    })
  }

  it('an upper-case sub is the same user as its lower-case form', async () => {
    const sub = randomUUID()
    const users = await countRows(h.db, 'users')
    await h.callerWith(`Bearer ${await issuer.sign({ sub: sub.toUpperCase() })}`).user.me()
    const me = await h.callerWith(`Bearer ${await issuer.sign({ sub })}`).user.me()
    expect(me.id).toBe(sub)
    expect(await countRows(h.db, 'users')).toBe(users + 1)
  })
})

describe('every procedure but health needs a token', () => {
  const id = randomUUID()
  const calls: Array<[string, (c: ReturnType<Harness['anonymous']>) => Promise<unknown>]> = [
    ['user.me', (c) => c.user.me()],
    ['user.update', (c) => c.user.update({ displayName: 'x' })],
    ['model.list', (c) => c.model.list()],
    ['conversation.create', (c) => c.conversation.create({})],
    ['conversation.list', (c) => c.conversation.list()],
    ['conversation.get', (c) => c.conversation.get({ id })],
    ['conversation.update', (c) => c.conversation.update({ id, title: 'x' })],
    ['conversation.delete', (c) => c.conversation.delete({ id })],
    ['message.list', (c) => c.message.list({ conversationId: id })],
    ['chat.send', (c) => c.chat.send({ clientMessageId: id, content: 'hi' })],
    ['chat.stream', (c) => c.chat.stream({ messageId: id })],
    ['chat.stop', (c) => c.chat.stop({ messageId: id })],
    ['chat.regenerate', (c) => c.chat.regenerate({ conversationId: id, clientMessageId: id })],
    ['events', (c) => c.events({})],
    ['share.create', (c) => c.share.create({ conversationId: id })],
    ['share.list', (c) => c.share.list()],
    ['share.revoke', (c) => c.share.revoke({ id })],
    ['conversation.export', (c) => c.conversation.export({ id, format: 'json' })],
    ['conversation.import', (c) => c.conversation.import({ format: 'chatgpt', data: {} })],
  ]
  for (const [name, call] of calls) {
    it(name, async () => {
      const upstream = h.fake.requests.length
      await expectTRPCError(call(h.anonymous()), 'UNAUTHORIZED')
      // Invalid input from a stranger is still UNAUTHORIZED: the token is checked first.
      await expectTRPCError(call(h.callerWith('Bearer garbage')), 'UNAUTHORIZED')
      expect(h.fake.requests.length).toBe(upstream)
    })
  }

  it('health does not', async () => {
    await expect(h.anonymous().health()).resolves.toMatchObject({ status: 'ok' })
  })

  it('share.get does not (a link is public): an unknown token is NOT_FOUND, not UNAUTHORIZED', async () => {
    await expectTRPCError(h.anonymous().share.get({ token: 'unknown' }), 'NOT_FOUND')
    await expectTRPCError(
      h.callerWith('Bearer garbage').share.get({ token: 'unknown' }),
      'NOT_FOUND',
    )
  })
})

describe('Supabase with the JWKS only (no JWT secret)', () => {
  let jwksOnly: Harness
  beforeAll(async () => {
    jwksOnly = await startHarness({
      verifier: createTokenVerifier({ mode: 'supabase', supabaseUrl: jwks.url }),
    })
  })
  afterAll(async () => {
    await jwksOnly?.close()
  })

  it('refuses HS256 — with the public key as secret, or even the real secret — and creates no user', async () => {
    for (const token of [
      await confused('pem'),
      await confused('jwk'),
      await issuer.sign({ sub: randomUUID() }, { alg: 'HS256' }),
    ]) {
      await expectTRPCError(jwksOnly.callerWith(`Bearer ${token}`).user.me(), 'UNAUTHORIZED')
    }
    expect(await countRows(jwksOnly.db, 'users')).toBe(0)
    const sub = randomUUID()
    await expect(
      jwksOnly.callerWith(`Bearer ${await issuer.sign({ sub })}`).user.me(),
    ).resolves.toMatchObject({ id: sub })
    expect(await countRows(jwksOnly.db, 'users')).toBe(1)
  })
})
