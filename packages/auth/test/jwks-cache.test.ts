import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { AuthError, AuthKeysUnavailableError, createTokenVerifier } from '../src/index'
import { createTestIssuer, type JwksServer } from '../src/testing'
import { expectAuthError } from './helpers'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function startIssuer() {
  const issuer = await createTestIssuer()
  const server: JwksServer = await issuer.startJwksServer()
  cleanups.push(() => server.close())
  return { issuer, server }
}

describe('JWKS fetching', () => {
  it('fetches once, caches, and refetches when a rotated key signs a token', async () => {
    const { issuer, server } = await startIssuer()
    expect(issuer.supabaseUrl).toBe(server.url)
    const verifier = createTokenVerifier({
      mode: 'supabase',
      supabaseUrl: server.url,
      jwksCooldownMs: 0,
    })
    const before = await issuer.sign()
    await verifier.verify(before)
    await verifier.verify(await issuer.sign())
    expect(server.hits()).toBe(1)

    const oldKid = issuer.kid
    await server.rotate()
    expect(issuer.kid).not.toBe(oldKid)
    const after = await issuer.sign()
    await expect(verifier.verify(after)).resolves.toMatchObject({ id: issuer.userId })
    expect(server.hits()).toBe(2)

    // The previous key is still published, and now cached.
    await expect(verifier.verify(before)).resolves.toMatchObject({ id: issuer.userId })
    expect(server.hits()).toBe(2)
  })

  it('deduplicates concurrent first fetches', async () => {
    const { issuer, server } = await startIssuer()
    const verifier = createTokenVerifier({ mode: 'supabase', supabaseUrl: server.url })
    const tokens = await Promise.all(Array.from({ length: 10 }, () => issuer.sign()))
    const users = await Promise.all(tokens.map((t) => verifier.verify(t)))
    expect(users.every((u) => u.id === issuer.userId)).toBe(true)
    expect(server.hits()).toBe(1)
  })

  it('does not let unknown kids hammer the JWKS during the cooldown', async () => {
    const { issuer, server } = await startIssuer()
    const verifier = createTokenVerifier({ mode: 'supabase', supabaseUrl: server.url })
    await verifier.verify(await issuer.sign())
    for (let i = 0; i < 20; i++) {
      const token = await issuer.sign({}, { kid: crypto.randomUUID() })
      await expectAuthError(verifier.verify(token), 'invalid', token)
    }
    expect(server.hits()).toBe(1)

    // A real rotation inside the cooldown is refused too, until the cooldown passes.
    await issuer.rotate()
    await expectAuthError(verifier.verify(await issuer.sign()), 'invalid')
    expect(server.hits()).toBe(1)
  })

  it('refetches after the cooldown', async () => {
    const { issuer, server } = await startIssuer()
    const verifier = createTokenVerifier({
      mode: 'supabase',
      supabaseUrl: server.url,
      jwksCooldownMs: 150,
    })
    await verifier.verify(await issuer.sign())
    await issuer.rotate()
    const token = await issuer.sign()
    await expectAuthError(verifier.verify(token), 'invalid', token)
    await new Promise((resolve) => setTimeout(resolve, 200))
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: issuer.userId })
    expect(server.hits()).toBe(2)
  })
})

describe('JWKS unavailable', () => {
  it('is a server error, not the caller’s fault, when nothing listens', async () => {
    const { issuer, server } = await startIssuer()
    await server.close()
    const verifier = createTokenVerifier({ mode: 'supabase', supabaseUrl: server.url })
    const error: unknown = await verifier.verify(await issuer.sign()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthKeysUnavailableError)
    expect(error).not.toBeInstanceOf(AuthError)
    expect((error as Error).message).toContain('/auth/v1/.well-known/jwks.json')
  })

  it('is a server error when the JWKS URL answers 404', async () => {
    const { issuer, server } = await startIssuer()
    const verifier = createTokenVerifier({ mode: 'supabase', supabaseUrl: `${server.url}/wrong` })
    const token = await issuer.sign({ iss: `${server.url}/wrong/auth/v1` })
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(AuthKeysUnavailableError)
  })

  it('times out on a JWKS server that never answers', async () => {
    const hanging: Server = createServer(() => {
      // Never respond: the verifier's timeout must end the request.
    })
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve))
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          hanging.closeAllConnections()
          hanging.close(() => resolve())
        }),
    )
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`
    const issuer = await createTestIssuer({ supabaseUrl: url })
    const verifier = createTokenVerifier({
      mode: 'supabase',
      supabaseUrl: url,
      fetchTimeoutMs: 200,
    })
    const started = Date.now()
    await expect(verifier.verify(await issuer.sign())).rejects.toBeInstanceOf(
      AuthKeysUnavailableError,
    )
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('still serves HS256 tokens from the secret while the JWKS is down', async () => {
    const { issuer, server } = await startIssuer()
    await server.close()
    const verifier = createTokenVerifier({
      mode: 'supabase',
      supabaseUrl: server.url,
      jwtSecret: issuer.hsSecret,
    })
    const token = await issuer.sign({}, { alg: 'HS256' })
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: issuer.userId })
  })
})
