import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { createChatClient, type ChatClient } from '@t3chat/client'
import type { Database } from '@t3chat/db'
import { createTestDb, type TestDb } from '@t3chat/db/testing'
import { startFakeUpstream, type FakeUpstream } from '@t3chat/llm/fake'
import { parseEnv, type Env } from '../../src/env'
import { createLogger } from '../../src/logger'
import { startServer, type RunningServer } from '../../src/server'

/** How a test client sends its subscriptions. */
export type Transport = 'sse' | 'ws'

/** The real server in this process, on an ephemeral port, with everything it talks to. */
export interface TestServer {
  url: string
  server: RunningServer
  fake: FakeUpstream
  dataDir: string
  /** The server's own database handle, for asserting what it stored. */
  db: Kysely<Database>
  /** Every log line the server wrote (JSON), when started with `logLevel`. */
  logs: string[]
  /** A local access token for `sub` (default: a fresh user). */
  token(sub?: string): Promise<string>
  /**
   * A real `@t3chat/client`, closed with the server. `null` token → no Authorization at all;
   * `url` points it elsewhere (e.g. through a proxy).
   */
  client(transport: Transport, token: string | null, url?: string): ChatClient
  close(): Promise<void>
}

/**
 * A fresh database of its own when the test environment names a Postgres server
 * (`DATABASE_URL`), else null (the server then embeds PGlite in its data directory).
 */
export async function freshPostgres(): Promise<TestDb | null> {
  const databaseUrl = process.env.DATABASE_URL
  if (databaseUrl === undefined || databaseUrl === '') return null
  return createTestDb({ databaseUrl })
}

/** A temporary directory for one server's data (removed by the caller). */
export function tempDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 't3chat-server-test-'))
}

/**
 * Starts `startServer(parseEnv(...))` on 127.0.0.1:0 with a temporary data directory, the fake
 * OpenRouter, and Postgres when the test environment has DATABASE_URL. `env` overrides.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  opts: { logLevel?: Env['LOG_LEVEL'] } = {},
): Promise<TestServer> {
  const dataDir = await tempDataDir()
  const logs: string[] = []
  const logger =
    opts.logLevel === undefined
      ? createLogger(process.env.TEST_LOG_LEVEL === undefined ? 'silent' : 'debug')
      : createLogger(opts.logLevel, { write: (line: string) => logs.push(line) })
  const fake = await startFakeUpstream()
  const postgres = await freshPostgres()
  const clients: ChatClient[] = []
  let server: RunningServer
  try {
    server = await startServer(
      parseEnv({
        HOST: '127.0.0.1',
        PORT: '0',
        T3CHAT_DATA_DIR: dataDir,
        OPENROUTER_API_KEY: 'x',
        OPENROUTER_BASE_URL: fake.baseURL,
        DEFAULT_MODEL: 'fake/echo',
        TITLE_MODEL: 'fake/title:text=Wire%20title',
        CHECKPOINT_INTERVAL_MS: '200',
        LOG_LEVEL: 'silent',
        ...(postgres?.connectionString ? { DATABASE_URL: postgres.connectionString } : {}),
        ...env,
      }),
      logger,
    )
  } catch (error) {
    await fake.close()
    await postgres?.destroy()
    await rm(dataDir, { recursive: true, force: true })
    throw error
  }
  const auth = await loadOrCreateLocalAuth(dataDir)

  return {
    url: server.url,
    server,
    fake,
    dataDir,
    db: server.deps.db,
    logs,
    token: (sub = crypto.randomUUID()) => mintLocalToken(auth, { sub }),
    client(transport, token, url = server.url) {
      const client = createChatClient({
        url,
        getToken: () => token,
        transport,
        retryDelayMs: () => 50,
      })
      clients.push(client)
      return client
    },
    async close() {
      for (const client of clients) client.close()
      await server.close()
      await fake.close()
      await postgres?.destroy()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
