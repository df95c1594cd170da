import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createTestIssuer, JWKS_PATH, type TestIssuer } from '@t3chat/auth/testing'

/** A stand-in for Supabase Auth (GoTrue) on loopback: password and OTP sign-in, refresh, logout, JWKS. */
export interface FakeGoTrue {
  url: string
  issuer: TestIssuer
  /** Requests by kind, to check what the CLI did. */
  readonly calls: { password: number; refresh: number; otp: number; verify: number; logout: number }
  close(): Promise<void>
}

const OTP_CODE = '123456'

/**
 * Starts the fake. `expiresInSec` is the access-token lifetime it hands out; anything under
 * supabase-js's 90 s margin makes every `getSession()` refresh first.
 */
export async function startFakeGoTrue(opts: {
  email: string
  password: string
  expiresInSec?: number
}): Promise<FakeGoTrue> {
  const calls = { password: 0, refresh: 0, otp: 0, verify: 0, logout: 0 }
  const refreshTokens = new Set<string>()
  let issuer: TestIssuer | null = null
  const expiresIn = opts.expiresInSec ?? 3600

  const session = async (res: ServerResponse) => {
    if (!issuer) throw new Error('not started')
    const refreshToken = randomUUID()
    refreshTokens.add(refreshToken)
    const now = Math.floor(Date.now() / 1000)
    const accessToken = await issuer.sign({ email: opts.email, exp: now + expiresIn })
    json(res, 200, {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: expiresIn,
      expires_at: now + expiresIn,
      refresh_token: refreshToken,
      user: {
        id: issuer.userId,
        aud: 'authenticated',
        role: 'authenticated',
        email: opts.email,
        app_metadata: {},
        user_metadata: {},
        created_at: new Date().toISOString(),
      },
    })
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const body = req.method === 'POST' ? await readJson(req) : {}
      if (url.pathname === JWKS_PATH) return json(res, 200, issuer?.jwks ?? { keys: [] })
      if (url.pathname === '/auth/v1/token' && url.searchParams.get('grant_type') === 'password') {
        calls.password += 1
        if (body.email !== opts.email || body.password !== opts.password) {
          return json(res, 400, {
            code: 400,
            error_code: 'invalid_credentials',
            msg: 'Invalid login credentials',
          })
        }
        return session(res)
      }
      if (
        url.pathname === '/auth/v1/token' &&
        url.searchParams.get('grant_type') === 'refresh_token'
      ) {
        calls.refresh += 1
        const token = typeof body.refresh_token === 'string' ? body.refresh_token : ''
        if (!refreshTokens.delete(token)) {
          return json(res, 400, {
            code: 400,
            error_code: 'refresh_token_not_found',
            msg: 'Invalid Refresh Token: Refresh Token Not Found',
          })
        }
        return session(res)
      }
      if (url.pathname === '/auth/v1/otp') {
        calls.otp += 1
        return json(res, 200, {})
      }
      if (url.pathname === '/auth/v1/verify') {
        calls.verify += 1
        if (body.email !== opts.email || body.token !== OTP_CODE) {
          return json(res, 403, {
            code: 403,
            error_code: 'otp_expired',
            msg: 'Token has expired or is invalid',
          })
        }
        return session(res)
      }
      if (url.pathname === '/auth/v1/logout') {
        calls.logout += 1
        refreshTokens.clear()
        res.writeHead(204).end()
        return
      }
      json(res, 404, { msg: 'not found' })
    })().catch(() => json(res, 500, { msg: 'fake failed' }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  issuer = await createTestIssuer({ supabaseUrl: url })
  return {
    url,
    issuer,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** The code the fake accepts for OTP sign-in. */
export const FAKE_OTP_CODE = OTP_CODE

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let text = ''
    req.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    req.on('end', () => {
      try {
        const value: unknown = JSON.parse(text)
        resolve(
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {},
        )
      } catch {
        resolve({})
      }
    })
  })
}
