import { rm } from 'node:fs/promises'
import type { Kysely } from 'kysely'
import { loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { createChatClient, type ChatClient } from '@t3chat/client'
import { createDb, embeddedDatabaseDir, type Database } from '@t3chat/db'
import type { TestDb } from '@t3chat/db/testing'
import { startFakeUpstream, type FakeUpstream } from '@t3chat/llm/fake'
import { spawnServer, type ChildServer } from './child-server'
import { freshPostgres, tempDataDir, type Transport } from './test-server'

/**
 * One data directory (and database) shared by the server processes a test starts, stops and
 * restarts, with the fake upstream living in the test process.
 */
export interface SpawnedSetup {
  dataDir: string
  fake: FakeUpstream
  /** The local user's token, valid for every server started on this data directory. */
  token: string
  /** Starts `src/main.ts` on the data directory (and Postgres when the test run has one). */
  start(env?: Record<string, string>): Promise<ChildServer>
  /** A real client of `server`, closed by `close()`. */
  client(server: ChildServer, transport: Transport): ChatClient
  /**
   * Runs `check` against the stored database while no server runs (the embedded PGlite has
   * one owner at a time), or against Postgres.
   */
  inspect<T>(check: (db: Kysely<Database>) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Prepares a data directory, its local identity, the fake upstream and (maybe) Postgres. */
export async function prepareSpawned(): Promise<SpawnedSetup> {
  const dataDir = await tempDataDir()
  const fake = await startFakeUpstream()
  const postgres: TestDb | null = await freshPostgres()
  const token = await mintLocalToken(await loadOrCreateLocalAuth(dataDir))
  const clients: ChatClient[] = []
  return {
    dataDir,
    fake,
    token,
    start: (env = {}) =>
      spawnServer({
        T3CHAT_DATA_DIR: dataDir,
        PORT: '0',
        OPENROUTER_API_KEY: 'x',
        OPENROUTER_BASE_URL: fake.baseURL,
        TITLE_MODEL: 'fake/title:text=Spawned',
        LOG_LEVEL: 'warn',
        ...(postgres?.connectionString ? { DATABASE_URL: postgres.connectionString } : {}),
        ...env,
      }),
    client(server, transport) {
      const client = createChatClient({
        url: server.url,
        getToken: () => token,
        transport,
        retryDelayMs: () => 100,
      })
      clients.push(client)
      return client
    },
    async inspect(check) {
      if (postgres !== null) return check(postgres.db)
      const db = await createDb({ dataDir: embeddedDatabaseDir(dataDir) })
      try {
        return await check(db)
      } finally {
        await db.destroy()
      }
    },
    async close() {
      for (const client of clients) client.close()
      await fake.close()
      await postgres?.destroy()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
