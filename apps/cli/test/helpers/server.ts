import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll } from 'vitest'
import { loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { createChatClient, type ChatClient } from '@t3chat/client'
import { createTestDb, type TestDb } from '@t3chat/db/testing'
import { startFakeUpstream, type FakeUpstream } from '@t3chat/llm/fake'
import { parseEnv, startServer, type RunningServer } from '@t3chat/server'

/** A real t3chat server (in this process) on a fake OpenRouter, with its own data and database. */
export interface TestServer {
  url: string
  port: number
  dataDir: string
  token: string
  client: ChatClient
  fake: FakeUpstream
  /** Stops the server (answers in flight end `interrupted`) and starts it again on the same port and data. */
  restart(opts?: { beforeStart?: () => Promise<void> }): Promise<void>
  /** Stops the server only. */
  stop(): Promise<void>
  start(): Promise<void>
  close(): Promise<void>
}

/**
 * Starts the server with a temp T3CHAT_DATA_DIR, PORT 0, the fake upstream and, when the test
 * environment sets DATABASE_URL, a fresh Postgres database of its own (else embedded PGlite).
 */
export async function startTestServer(
  overrides: Record<string, string | undefined> = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 't3chat-cli-test-'))
  const fake = await startFakeUpstream()
  const databaseUrl = process.env.DATABASE_URL
  const testDb: TestDb | null = databaseUrl ? await createTestDb({ databaseUrl }) : null
  const source = (port: number) => ({
    HOST: '127.0.0.1',
    PORT: String(port),
    T3CHAT_DATA_DIR: dataDir,
    OPENROUTER_API_KEY: 'x',
    OPENROUTER_BASE_URL: fake.baseURL,
    DEFAULT_MODEL: 'fake/lorem:tokens=30,delay=10',
    TITLE_MODEL: 'fake/title:text=Test%20Title',
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '500',
    ...(testDb?.connectionString ? { DATABASE_URL: testDb.connectionString } : {}),
    ...overrides,
  })
  const logger = pino({ level: 'silent' })
  let server: RunningServer | null = await startServer(parseEnv(source(0)), logger)
  const port = server.port
  const token = await mintLocalToken(await loadOrCreateLocalAuth(dataDir))
  const client = createChatClient({ url: server.url, getToken: () => token })

  const handle: TestServer = {
    url: server.url,
    port,
    dataDir,
    token,
    client,
    fake,
    async stop() {
      await server?.close()
      server = null
    },
    async start() {
      server ??= await startServer(parseEnv(source(port)), logger)
    },
    async restart(opts = {}) {
      await handle.stop()
      await opts.beforeStart?.()
      await handle.start()
    },
    async close() {
      client.close()
      await handle.stop()
      await fake.close()
      await testDb?.destroy()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
  return handle
}

/**
 * One test server for the calling file: started before its tests, closed after them. `env`
 * points the built CLI at it (no colours).
 */
export function useCliServer() {
  let server: TestServer | null = null
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server?.close())
  return {
    get server(): TestServer {
      if (server === null) throw new Error('the test server starts in beforeAll')
      return server
    },
    get env(): Record<string, string> {
      return { T3CHAT_URL: this.server.url, T3CHAT_DATA_DIR: this.server.dataDir, NO_COLOR: '1' }
    },
  }
}
