import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTokenVerifier,
  defaultDataDir,
  loadOrCreateLocalAuth,
  localAuthPath,
  mintLocalToken,
  readLocalAuth,
} from '../src/index'
import { createLocalTestAuth, createTestIssuer } from '../src/testing'
import { expectAuthError } from './helpers'

let root: string
let counter = 0
const freshDir = () => join(root, `data-${++counter}`, 'nested')

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 't3chat-auth-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('local identity file', () => {
  it('is created 0600 in a 0700 directory, and the second call reads the same values', async () => {
    const dir = freshDir()
    await expect(readLocalAuth(dir)).resolves.toBeNull()
    const first = await loadOrCreateLocalAuth(dir)
    expect(first.secret.byteLength).toBe(32)
    expect(first.userId).toMatch(/^[0-9a-f-]{36}$/)
    expect((await stat(localAuthPath(dir))).mode & 0o777).toBe(0o600)
    expect((await stat(dir)).mode & 0o777).toBe(0o700)

    const second = await loadOrCreateLocalAuth(dir)
    expect(second.userId).toBe(first.userId)
    expect(hex(second.secret)).toBe(hex(first.secret))
    const read = await readLocalAuth(dir)
    expect(read?.userId).toBe(first.userId)
    expect(await readdir(dir)).toEqual(['local-auth.json'])
  })

  it('gives 5 concurrent first calls one identity', async () => {
    const dir = freshDir()
    const all = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateLocalAuth(dir)))
    expect(new Set(all.map((a) => a.userId)).size).toBe(1)
    expect(new Set(all.map((a) => hex(a.secret))).size).toBe(1)
    expect(await readdir(dir)).toEqual(['local-auth.json'])
  })

  it('gives 5 racing processes one identity', async () => {
    const dir = freshDir()
    const fixture = fileURLToPath(new URL('./fixtures/load-identity.ts', import.meta.url))
    const startAt = String(Date.now() + 2_000)
    const run = promisify(execFile)
    const outputs = await Promise.all(
      Array.from({ length: 5 }, () =>
        run(process.execPath, ['--import', 'tsx', fixture, dir, startAt], {
          cwd: fileURLToPath(new URL('..', import.meta.url)),
        }),
      ),
    )
    const results = outputs.map((o) => JSON.parse(o.stdout) as { userId: string; secret: string })
    expect(new Set(results.map((r) => `${r.userId}:${r.secret}`)).size).toBe(1)
    const onDisk = await readLocalAuth(dir)
    expect(onDisk?.userId).toBe(results[0]?.userId)
    expect(await readdir(dir)).toEqual(['local-auth.json'])
  })

  it('refuses a damaged file with a message that says what to do', async () => {
    const dir = freshDir()
    await loadOrCreateLocalAuth(dir)
    await writeFile(localAuthPath(dir), '{"version":1,"userId":"x","secret":"y"}')
    await expect(readLocalAuth(dir)).rejects.toThrow(/delete it/)
    await expect(loadOrCreateLocalAuth(dir)).rejects.toThrow(/delete it/)
  })
})

describe('local tokens', () => {
  it('minted by the data dir verify in local mode', async () => {
    const auth = await loadOrCreateLocalAuth(freshDir())
    const verifier = createTokenVerifier({ mode: 'local', secret: auth.secret })
    const token = await mintLocalToken(auth, { email: 'me@localhost' })
    await expect(verifier.verify(token)).resolves.toEqual({
      id: auth.userId,
      email: 'me@localhost',
      isAnonymous: false,
      expiresAt: expect.any(Number),
    })
    const other = crypto.randomUUID()
    await expect(verifier.verify(await mintLocalToken(auth, { sub: other }))).resolves.toEqual({
      id: other,
      email: null,
      isAnonymous: false,
      expiresAt: expect.any(Number),
    })
  })

  it('have the Supabase shape and a 30-day default lifetime', async () => {
    const auth = createLocalTestAuth()
    const token = await mintLocalToken(auth)
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as Record<string, unknown>
    expect(payload).toMatchObject({
      iss: 't3chat-local',
      aud: 'authenticated',
      role: 'authenticated',
      sub: auth.userId,
    })
    expect(Number(payload['exp']) - Number(payload['iat'])).toBe(30 * 24 * 3600)
  })

  it('signed with another data dir’s secret are rejected', async () => {
    const mine = await loadOrCreateLocalAuth(freshDir())
    const theirs = await loadOrCreateLocalAuth(freshDir())
    const verifier = createTokenVerifier({ mode: 'local', secret: mine.secret })
    const token = await mintLocalToken(theirs)
    await expectAuthError(verifier.verify(token), 'invalid', token)
  })

  it('local mode refuses Supabase tokens, and Supabase mode refuses local tokens', async () => {
    const auth = createLocalTestAuth()
    const local = createTokenVerifier({ mode: 'local', secret: auth.secret })
    const issuer = await createTestIssuer()
    await expectAuthError(local.verify(await issuer.sign()), 'invalid')
    // Same bytes as the local secret, but a Supabase issuer: iss decides.
    await expectAuthError(
      local.verify(await issuer.sign({}, { alg: 'HS256', secret: auth.secret })),
      'claims',
    )
    const supabase = createTokenVerifier({
      mode: 'supabase',
      supabaseUrl: issuer.supabaseUrl,
      jwtSecret: 'x'.repeat(32),
      useJwks: false,
    })
    await expectAuthError(supabase.verify(await mintLocalToken(auth)), 'invalid')
  })

  it('refuses bad mint options and short secrets', async () => {
    const auth = createLocalTestAuth()
    await expect(mintLocalToken(auth, { sub: 'admin' })).rejects.toThrow(/UUID/)
    await expect(mintLocalToken(auth, { expiresInSec: 0 })).rejects.toThrow(/expiresInSec/)
    expect(() => createTokenVerifier({ mode: 'local', secret: new Uint8Array(16) })).toThrow(
      /32 bytes/,
    )
  })
})

describe('defaultDataDir', () => {
  it('follows XDG, then HOME', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/xdg', HOME: '/home/a' })).toBe('/xdg/t3chat')
    expect(defaultDataDir({ XDG_DATA_HOME: '', HOME: '/home/a' })).toBe(
      '/home/a/.local/share/t3chat',
    )
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative', HOME: '/home/a' })).toBe(
      '/home/a/.local/share/t3chat',
    )
    expect(defaultDataDir({ HOME: '/home/b' })).toBe('/home/b/.local/share/t3chat')
    expect(defaultDataDir({})).toMatch(/\/\.local\/share\/t3chat$/)
  })
})
