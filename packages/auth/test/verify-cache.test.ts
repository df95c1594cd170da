import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTokenVerifier, mintLocalToken } from '../src/index'
import { createLocalTestAuth } from '../src/testing'
import { expectAuthError } from './helpers'

// Counts signature checks: WebCrypto's verify is what jose calls for every HS256 token.
function countSignatureChecks() {
  return vi.spyOn(crypto.subtle, 'verify')
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('verified-token cache', () => {
  it('checks a token’s signature once, then answers from memory with the same user', async () => {
    const auth = createLocalTestAuth()
    const verifier = createTokenVerifier({ mode: 'local', secret: auth.secret })
    const token = await mintLocalToken(auth, { email: 'a@example.com' })
    const checks = countSignatureChecks()
    const first = await verifier.verify(token)
    const again = await verifier.verify(token)
    expect(again).toEqual(first)
    expect(again.id).toBe(auth.userId)
    expect(checks).toHaveBeenCalledTimes(1)
    // A caller changing its copy does not change what the next caller gets.
    again.email = 'changed@example.com'
    expect((await verifier.verify(token)).email).toBe('a@example.com')
  })

  it('refuses a remembered token once it expires (exp plus the clock tolerance)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const auth = createLocalTestAuth()
    const verifier = createTokenVerifier({
      mode: 'local',
      secret: auth.secret,
      clockToleranceSec: 5,
    })
    const token = await mintLocalToken(auth, { expiresInSec: 60 })
    await verifier.verify(token)
    vi.setSystemTime(Date.now() + 62_000)
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: auth.userId })
    vi.setSystemTime(Date.now() + 5_000)
    await expectAuthError(verifier.verify(token), 'expired', token)
  })

  it('never remembers a failure, and a forged token never hits a remembered one', async () => {
    const auth = createLocalTestAuth()
    const verifier = createTokenVerifier({ mode: 'local', secret: auth.secret })
    const token = await mintLocalToken(auth)
    await verifier.verify(token)
    const [head, body] = token.split('.')
    const forged = `${head}.${body}.${'A'.repeat(43)}`
    await expectAuthError(verifier.verify(forged), 'invalid', forged)
    await expectAuthError(verifier.verify(forged), 'invalid', forged)
    const other = createLocalTestAuth()
    const foreign = await mintLocalToken(other, { sub: auth.userId })
    await expectAuthError(verifier.verify(foreign), 'invalid', foreign)
  })

  it('keeps at most cacheSize tokens (least recently used dropped); 0 keeps none', async () => {
    const auth = createLocalTestAuth()
    const [a, b] = await Promise.all([
      mintLocalToken(auth, { sub: randomUUID() }),
      mintLocalToken(auth, { sub: randomUUID() }),
    ])
    const one = createTokenVerifier({ mode: 'local', secret: auth.secret, cacheSize: 1 })
    const checks = countSignatureChecks()
    await one.verify(a)
    await one.verify(a)
    expect(checks).toHaveBeenCalledTimes(1)
    await one.verify(b) // drops a
    await one.verify(a)
    expect(checks).toHaveBeenCalledTimes(3)

    const none = createTokenVerifier({ mode: 'local', secret: auth.secret, cacheSize: 0 })
    checks.mockClear()
    await none.verify(a)
    await none.verify(a)
    expect(checks).toHaveBeenCalledTimes(2)
    expect(() =>
      createTokenVerifier({ mode: 'local', secret: auth.secret, cacheSize: -1 }),
    ).toThrow(/cacheSize/)
  })
})
