import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Who runs the embedded server of a data directory (its database allows one process only). */
export type EmbeddedLock =
  | {
      kind: 'acquired'
      /** Records the server's URL so other t3chat processes can join it. */
      publish(url: string): Promise<void>
      release(): Promise<void>
    }
  | { kind: 'held'; pid: number; url: string | null }

interface LockFile {
  pid: number
  url: string | null
}

const FILE = 'cli-server.lock'

/**
 * Takes `<dataDir>/cli-server.lock` for this process, or reports the live process holding it
 * (and its server's URL once published). A lock left by a process that is gone is taken over.
 */
export async function acquireEmbeddedLock(dataDir: string): Promise<EmbeddedLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const path = join(dataDir, FILE)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(path, 'wx', 0o600)
      await file.writeFile(JSON.stringify({ pid: process.pid, url: null } satisfies LockFile))
      await file.close()
      return {
        kind: 'acquired',
        publish: (url) =>
          writeFile(path, JSON.stringify({ pid: process.pid, url } satisfies LockFile)),
        async release() {
          const current = await readLock(path)
          if (current?.pid === process.pid) await rm(path, { force: true })
        },
      }
    } catch (error) {
      if (!isExists(error)) throw error
    }
    const holder = await readLock(path)
    if (holder !== null && holder.pid !== process.pid && isAlive(holder.pid)) {
      return { kind: 'held', pid: holder.pid, url: holder.url }
    }
    // Stale (its process is gone) or unreadable: take it over.
    await rm(path, { force: true })
  }
  throw new Error(`Could not take ${path}: delete it if no t3chat is running`)
}

/** Reads who holds the lock now (null when nobody does). */
export async function readLock(path: string): Promise<LockFile | null> {
  try {
    const data: unknown = JSON.parse(await readFile(path, 'utf8'))
    if (
      typeof data !== 'object' ||
      data === null ||
      !('pid' in data) ||
      typeof data.pid !== 'number'
    )
      return null
    const url = 'url' in data && typeof data.url === 'string' ? data.url : null
    return { pid: data.pid, url }
  } catch {
    return null
  }
}

/** The lock file's path in a data directory. */
export function lockPath(dataDir: string): string {
  return join(dataDir, FILE)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM'
  }
}

function isExists(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EEXIST'
}
