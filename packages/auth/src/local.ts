import { randomBytes, randomUUID } from 'node:crypto'
import { constants } from 'node:fs'
import { copyFile, link, mkdir, open, readFile, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { SignJWT } from 'jose'
import { AUTHENTICATED, LOCAL_ISSUER, isUuid } from './claims'

/** The local-mode identity: the HS256 signing secret and the single local user's id. */
export interface LocalAuth {
  secret: Uint8Array
  /** UUID, used as `sub` of minted tokens. */
  userId: string
}

const FILE_NAME = 'local-auth.json'
const SECRET_BYTES = 32
const DEFAULT_LIFETIME_SEC = 30 * 24 * 60 * 60

/** Where the local identity lives inside a data directory. */
export function localAuthPath(dataDir: string): string {
  return join(dataDir, FILE_NAME)
}

/**
 * Reads `<dataDir>/local-auth.json` without creating it.
 * Resolves to null when it does not exist; rejects when it exists but is not a valid identity.
 */
export async function readLocalAuth(dataDir: string): Promise<LocalAuth | null> {
  const path = localAuthPath(dataDir)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null
    throw error
  }
  return parseLocalAuth(text, path)
}

/**
 * Reads `<dataDir>/local-auth.json`, creating it on first use: a random 32-byte secret and a
 * random user id, file mode 0600 (the directory is created 0700). Safe when several processes
 * race to create it: exactly one identity wins and every caller gets that one.
 *
 * @example
 * const auth = await loadOrCreateLocalAuth(defaultDataDir({ XDG_DATA_HOME, HOME }))
 * const token = await mintLocalToken(auth)
 */
export async function loadOrCreateLocalAuth(dataDir: string): Promise<LocalAuth> {
  const existing = await readLocalAuth(dataDir)
  if (existing) return existing

  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const path = localAuthPath(dataDir)
  const candidate: LocalAuth = { secret: randomBytes(SECRET_BYTES), userId: randomUUID() }
  const tmp = join(dataDir, `.${FILE_NAME}.${process.pid}.${randomUUID()}.tmp`)
  try {
    const file = await open(tmp, 'wx', 0o600)
    try {
      await file.writeFile(serialize(candidate), 'utf8')
      // Synced before it gets the real name, so a crash never leaves an empty identity behind.
      await file.sync()
    } finally {
      await file.close()
    }
    await publish(tmp, path)
  } finally {
    await rm(tmp, { force: true })
  }

  // Re-read rather than return the candidate: another process may have published first.
  const winner = await readLocalAuth(dataDir)
  if (!winner) throw new Error(`Local auth file ${path} vanished while it was being created`)
  return winner
}

/** Gives the finished temp file its final name unless someone else already did (no clobbering). */
async function publish(tmp: string, path: string): Promise<void> {
  try {
    // link() is atomic and fails with EEXIST instead of replacing: a reader sees all or nothing.
    await link(tmp, path)
  } catch (error) {
    const code = errorCode(error)
    if (code === 'EEXIST') return
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') {
      throw error
    }
    // Filesystems without hard links: an exclusive copy still never clobbers a winner.
    try {
      await copyFile(tmp, path, constants.COPYFILE_EXCL)
    } catch (copyError) {
      if (errorCode(copyError) !== 'EEXIST') throw copyError
    }
  }
}

/**
 * Mints a Supabase-shaped access token for local mode: HS256 with the local secret, `iss`
 * `t3chat-local`, `aud`/`role` `authenticated`, `sub` (default the local user), `email`, `iat`,
 * `exp` (default lifetime 30 days).
 */
export async function mintLocalToken(
  auth: LocalAuth,
  opts: { sub?: string; email?: string | null; expiresInSec?: number } = {},
): Promise<string> {
  const sub = opts.sub ?? auth.userId
  if (!isUuid(sub)) throw new TypeError('mintLocalToken: sub must be a UUID')
  const lifetime = opts.expiresInSec ?? DEFAULT_LIFETIME_SEC
  if (!Number.isInteger(lifetime) || lifetime <= 0) {
    throw new TypeError('mintLocalToken: expiresInSec must be a positive whole number of seconds')
  }
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({
    role: AUTHENTICATED,
    email: opts.email ?? null,
    is_anonymous: false,
    aal: 'aal1',
    session_id: randomUUID(),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(AUTHENTICATED)
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetime)
    .sign(auth.secret)
}

/**
 * The XDG default data directory: `$XDG_DATA_HOME/t3chat`, else `~/.local/share/t3chat`.
 * Takes the environment as an argument; a relative XDG_DATA_HOME is ignored, as the spec says.
 */
export function defaultDataDir(env: {
  XDG_DATA_HOME?: string | undefined
  HOME?: string | undefined
}): string {
  const xdg = env.XDG_DATA_HOME
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) return join(xdg, 't3chat')
  const home = env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir()
  return join(home, '.local', 'share', 't3chat')
}

function serialize(auth: LocalAuth): string {
  const file = {
    version: 1,
    userId: auth.userId,
    secret: Buffer.from(auth.secret).toString('base64url'),
  }
  return `${JSON.stringify(file, null, 2)}\n`
}

function parseLocalAuth(text: string, path: string): LocalAuth {
  const invalid = () =>
    new Error(
      `Local auth file ${path} is not valid: delete it to create a new local identity (tokens minted before stop working)`,
    )
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw invalid()
  }
  if (typeof data !== 'object' || data === null) throw invalid()
  const { version, userId, secret } = data as Record<string, unknown>
  if (version !== 1 || !isUuid(userId) || typeof secret !== 'string') throw invalid()
  const bytes = Buffer.from(secret, 'base64url')
  if (bytes.byteLength < SECRET_BYTES) throw invalid()
  return { secret: new Uint8Array(bytes), userId: userId.toLowerCase() }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error
    return typeof code === 'string' ? code : undefined
  }
  return undefined
}
