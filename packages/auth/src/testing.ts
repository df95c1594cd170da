/**
 * Test helpers: mint Supabase-like access tokens with real keys and serve the JWKS from a real
 * local HTTP server. For tests only; never import this from production code.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  SignJWT,
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  type JWTHeaderParameters,
} from 'jose'
import type { LocalAuth } from './local'

/** Path of the JWKS below a Supabase project URL. */
export const JWKS_PATH = '/auth/v1/.well-known/jwks.json'

/** Claims to merge over the defaults; a key set to `undefined` removes that claim. */
export type ClaimOverrides = Record<string, unknown>

/** How `sign` signs. */
export interface SignOptions {
  /** Default ES256 with the current key. HS256 uses the issuer's `hsSecret` unless `secret` is given. */
  alg?: 'ES256' | 'RS256' | 'HS256'
  /** Override the `kid` header; `null` omits it. Default: the current key's kid (none for HS256). */
  kid?: string | null
  /** Extra protected-header fields (`alg` always follows `opts.alg`). */
  header?: Omit<JWTHeaderParameters, 'alg'>
  /** HS256 key to sign with instead of `hsSecret`. */
  secret?: string | Uint8Array
}

/** A running JWKS server; its `url` is the Supabase URL to configure the verifier with. */
export interface JwksServer {
  url: string
  /** How many times the JWKS has been fetched. */
  hits(): number
  /** Same as `issuer.rotate()`: a new current key with a new kid, the previous one still published. */
  rotate(): Promise<void>
  /** Stops the server; calling it again is a no-op. */
  close(): Promise<void>
}

/** A fake Supabase Auth issuer with real keys. */
export interface TestIssuer {
  /** The project URL; becomes the JWKS server's URL once `startJwksServer()` resolves. */
  readonly supabaseUrl: string
  /** `<supabaseUrl>/auth/v1`, the `iss` of signed tokens. */
  readonly issuer: string
  /** Default `sub` of signed tokens. */
  readonly userId: string
  /** The current ES256 key's kid. */
  readonly kid: string
  /** The legacy HS256 JWT secret. */
  readonly hsSecret: string
  /** The current ES256 public key, e.g. for algorithm-confusion tests. */
  readonly publicKey: CryptoKey
  /** The published public keys: every ES256 key so far (current last) and one RS256 key. */
  readonly jwks: JSONWebKeySet
  /** Makes a new current ES256 key with a new kid; earlier keys stay published. */
  rotate(): Promise<void>
  /** Signs realistic Supabase session claims, merged with `claims`. */
  sign(claims?: ClaimOverrides, opts?: SignOptions): Promise<string>
  /** Serves `jwks` on 127.0.0.1 (ephemeral port) at `/auth/v1/.well-known/jwks.json`. */
  startJwksServer(): Promise<JwksServer>
}

interface KeyEntry {
  kid: string
  privateKey: CryptoKey
  publicKey: CryptoKey
  jwk: JWK
}

async function makeKey(alg: 'ES256' | 'RS256'): Promise<KeyEntry> {
  const kid = randomUUID()
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig', key_ops: ['verify'] }
  return { kid, privateKey, publicKey, jwk }
}

/**
 * Creates a fake Supabase issuer: an ES256 key pair, an RS256 key pair, an HS256 secret.
 *
 * @example
 * const issuer = await createTestIssuer()
 * const server = await issuer.startJwksServer()
 * const verifier = createTokenVerifier({ mode: 'supabase', supabaseUrl: server.url })
 * await verifier.verify(await issuer.sign({ email: 'a@example.test' }))
 */
export async function createTestIssuer(
  opts: { supabaseUrl?: string; hsSecret?: string } = {},
): Promise<TestIssuer> {
  let supabaseUrl = (opts.supabaseUrl ?? 'http://127.0.0.1:54321').replace(/\/+$/, '')
  const hsSecret = opts.hsSecret ?? randomBytes(32).toString('base64url')
  const userId = randomUUID()
  const esKeys = [await makeKey('ES256')]
  const rsKey = await makeKey('RS256')
  const current = (): KeyEntry => {
    const key = esKeys.at(-1)
    if (!key) throw new Error('test issuer has no ES256 key')
    return key
  }
  const rotate = async (): Promise<void> => {
    esKeys.push(await makeKey('ES256'))
  }
  const jwks = (): JSONWebKeySet => ({ keys: [...esKeys.map((k) => k.jwk), rsKey.jwk] })

  const issuer: TestIssuer = {
    get supabaseUrl() {
      return supabaseUrl
    },
    get issuer() {
      return `${supabaseUrl}/auth/v1`
    },
    userId,
    get kid() {
      return current().kid
    },
    hsSecret,
    get publicKey() {
      return current().publicKey
    },
    get jwks() {
      return jwks()
    },
    rotate,

    async sign(claims = {}, signOpts = {}) {
      const alg = signOpts.alg ?? 'ES256'
      const key = alg === 'RS256' ? rsKey : current()
      const now = Math.floor(Date.now() / 1000)
      const merged: Record<string, unknown> = {
        iss: `${supabaseUrl}/auth/v1`,
        sub: userId,
        aud: 'authenticated',
        exp: now + 3600,
        iat: now,
        email: `user-${userId.slice(0, 8)}@example.test`,
        phone: '',
        app_metadata: { provider: 'email', providers: ['email'] },
        user_metadata: {},
        role: 'authenticated',
        aal: 'aal1',
        amr: [{ method: 'password', timestamp: now }],
        session_id: randomUUID(),
        is_anonymous: false,
        ...claims,
      }
      for (const [name, value] of Object.entries(merged)) {
        if (value === undefined) delete merged[name]
      }
      const defaultKid = alg === 'HS256' ? null : key.kid
      const kid = signOpts.kid === undefined ? defaultKid : signOpts.kid
      const header: JWTHeaderParameters = {
        typ: 'JWT',
        ...(kid !== null && { kid }),
        ...signOpts.header,
        alg,
      }
      const signingKey =
        alg === 'HS256'
          ? typeof signOpts.secret === 'string'
            ? new TextEncoder().encode(signOpts.secret)
            : (signOpts.secret ?? new TextEncoder().encode(hsSecret))
          : key.privateKey
      return new SignJWT(merged).setProtectedHeader(header).sign(signingKey)
    },

    async startJwksServer() {
      let hits = 0
      const server = createServer((req, res) => {
        const path = (req.url ?? '').split('?')[0]
        if (req.method === 'GET' && path === JWKS_PATH) {
          hits++
          res.writeHead(200, { 'content-type': 'application/json' })
          res.end(JSON.stringify(jwks()))
          return
        }
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end('{"error":"not found"}')
      })
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => resolve())
      })
      const { port } = server.address() as AddressInfo
      const url = `http://127.0.0.1:${port}`
      supabaseUrl = url
      return {
        url,
        hits: () => hits,
        rotate,
        close: () =>
          new Promise<void>((resolve, reject) => {
            if (!server.listening) return resolve()
            server.close((error) => (error ? reject(error) : resolve()))
            server.closeAllConnections()
          }),
      }
    },
  }
  return issuer
}

/** A local-mode identity held in memory (no data directory), for tests of local mode. */
export function createLocalTestAuth(): LocalAuth {
  return { secret: new Uint8Array(randomBytes(32)), userId: randomUUID() }
}
