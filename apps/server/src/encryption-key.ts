import { randomBytes, randomUUID } from 'node:crypto'
import { link, mkdir, open, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'

const FILE_NAME = 'encryption.key'

/**
 * The key that encrypts users' provider keys: `T3CHAT_ENCRYPTION_KEY` (base64, 32 bytes), or
 * in a single-instance setup one generated once into the data directory (mode 0600). Losing
 * it makes stored provider keys unreadable (their users set them again); see the docs on
 * rotating it.
 */
export async function loadEncryptionKey(
  fromEnv: string | undefined,
  dataDir: string,
): Promise<Buffer> {
  if (fromEnv !== undefined) return Buffer.from(fromEnv, 'base64')
  const path = join(dataDir, FILE_NAME)
  const existing = await readKey(path)
  if (existing !== null) return existing
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const tmp = join(dataDir, `.${FILE_NAME}.${process.pid}.${randomUUID()}.tmp`)
  try {
    const file = await open(tmp, 'wx', 0o600)
    try {
      await file.writeFile(`${randomBytes(32).toString('base64')}\n`, 'utf8')
      await file.sync()
    } finally {
      await file.close()
    }
    // A hard link never replaces an existing file: the first process to create the key wins.
    await link(tmp, path).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    })
  } finally {
    await rm(tmp, { force: true })
  }
  const created = await readKey(path)
  if (created === null) throw new Error(`${path} does not hold a 32-byte key`)
  return created
}

async function readKey(path: string): Promise<Buffer | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  const key = Buffer.from(text.trim(), 'base64')
  if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte key (base64)`)
  return key
}
