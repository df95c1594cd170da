import { randomUUID } from 'node:crypto'
import { access, chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** The storage interface supabase-js persists its session through. */
export interface SessionStorage {
  getItem(key: string): Promise<string | null>
  setItem(key: string, value: string): Promise<void>
  removeItem(key: string): Promise<void>
}

/** Where the session lives inside the config directory. */
export function sessionPath(configDir: string): string {
  return join(configDir, 'session.json')
}

/**
 * A key/value store in `<configDir>/session.json`, readable by the owner only: the directory
 * is created 0700 and the file is written 0600 (through a temp file and a rename, so a crash
 * never leaves half a session behind). The file disappears when its last key is removed.
 */
export function fileSessionStorage(configDir: string): SessionStorage {
  const path = sessionPath(configDir)

  async function load(): Promise<Record<string, string>> {
    try {
      const data: unknown = JSON.parse(await readFile(path, 'utf8'))
      if (typeof data !== 'object' || data === null || Array.isArray(data)) return {}
      const entries = Object.entries(data).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      )
      return Object.fromEntries(entries)
    } catch {
      return {}
    }
  }

  async function save(values: Record<string, string>): Promise<void> {
    if (Object.keys(values).length === 0) {
      await rm(path, { force: true })
      return
    }
    await mkdir(configDir, { recursive: true, mode: 0o700 })
    const tmp = join(configDir, `.session.${process.pid}.${randomUUID()}.tmp`)
    try {
      await writeFile(tmp, JSON.stringify(values, null, 2), { mode: 0o600 })
      // writeFile's mode is filtered by the umask; make sure the session is owner-only.
      await chmod(tmp, 0o600)
      await rename(tmp, path)
    } finally {
      await rm(tmp, { force: true })
    }
  }

  return {
    async getItem(key) {
      return (await load())[key] ?? null
    },
    async setItem(key, value) {
      const values = await load()
      values[key] = value
      await save(values)
    },
    async removeItem(key) {
      const values = await load()
      if (!(key in values)) return
      delete values[key]
      await save(values)
    },
  }
}

/** Whether a session file exists in the config directory. */
export async function hasStoredSession(configDir: string): Promise<boolean> {
  try {
    await access(sessionPath(configDir))
    return true
  } catch {
    return false
  }
}
