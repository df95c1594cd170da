import { afterAll, beforeAll } from 'vitest'
import { randomBytes, randomUUID } from 'node:crypto'
import type { LogEvent } from 'kysely'
import pino from 'pino'
import { createLocalTestAuth } from '@t3chat/auth/testing'
import { createTokenVerifier, mintLocalToken, type TokenVerifier } from '@t3chat/auth'
import { createTestDb } from '@t3chat/db/testing'
import { createModelCatalog, createOpenRouterProvider } from '@t3chat/llm'
import { startFakeUpstream } from '@t3chat/llm/fake'
import { appRouter, createApi, createCaller, createContext, type ApiConfig } from '../src/index'
import { describeApi } from '../src/reference'
import { testRedis } from './support/hubs'

/** The error codes each procedure declares (docs/api.md lists the same). */
const declaredErrors = new Map(
  describeApi(appRouter).procedures.map((p) => [p.path, new Set(p.errors.map((e) => e.code))]),
)

/**
 * A whole API in-process: a real database (PGlite, or Postgres when DATABASE_URL is set),
 * the real provider talking to the fake OpenRouter over loopback, and local tokens minted
 * with a real secret. Nothing of ours is mocked. With T3CHAT_TEST_REDIS_URL set, the hub, the
 * limits and the reaper run on that Redis (under a key prefix of their own, removed at close).
 */
export async function startHarness(
  opts: {
    config?: Partial<ApiConfig>
    keyless?: boolean
    verifier?: TokenVerifier
    idleTimeoutMs?: number
    firstTokenTimeoutMs?: number
    /** Sees every statement the database runs (Kysely's `log`), migrations included. */
    onQuery?: (event: LogEvent) => void
    /** Now, for the API (budget periods, usage days); default the system clock. */
    clock?: () => Date
    /** The API's logger (default silent, or TEST_LOG_LEVEL). */
    logger?: pino.Logger
  } = {},
) {
  const testDb = await createTestDb({ databaseUrl: process.env.DATABASE_URL, log: opts.onQuery })
  const fake = await startFakeUpstream()
  const llm = opts.keyless
    ? null
    : createOpenRouterProvider({
        apiKey: 'test-key',
        baseURL: fake.baseURL,
        appName: 't3chat-test',
        appUrl: 'https://t3chat.test',
        idleTimeoutMs: opts.idleTimeoutMs ?? 2_000,
        firstTokenTimeoutMs: opts.firstTokenTimeoutMs ?? 5_000,
        retryBaseMs: 10,
      })
  const local = createLocalTestAuth()
  const redis = process.env.T3CHAT_TEST_REDIS_URL ? testRedis() : null
  const api = createApi({
    redis: redis && { client: redis.redis, keyPrefix: redis.keyPrefix },
    db: testDb.db,
    verifier: opts.verifier ?? createTokenVerifier({ mode: 'local', secret: local.secret }),
    llm,
    models: createModelCatalog({ provider: llm }),
    logger: opts.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    accounts: {
      encryptionKey: randomBytes(32),
      baseURL: fake.baseURL,
      serverKey: opts.keyless ? null : 'test-key',
      provider: { idleTimeoutMs: opts.idleTimeoutMs ?? 2_000, retryBaseMs: 10 },
    },
    ...(opts.clock ? { clock: opts.clock } : {}),
    config: {
      defaultModel: 'fake/echo',
      titleModel: 'fake/title:text=Generated%20title',
      checkpointIntervalMs: 200,
      // Tests that are about the limits set them; the rest run unthrottled.
      rateLimits: { sendsPerMin: 0, callsPerMin: 0, conversationsPerMin: 0, shareViewsPerMin: 0 },
      ...opts.config,
    },
  })

  // Every error a caller sees must be one its procedure declares: the reference cannot claim
  // fewer errors than the tests provoke. Checked when the harness closes.
  const undeclared: string[] = []
  const onError = ({ path, error }: { path: string | undefined; error: { code: string } }) => {
    const key = path ?? '?'
    if (!declaredErrors.get(key)?.has(error.code)) undeclared.push(`${key}: ${error.code}`)
  }
  const callerFor = (authorization: string | null, clientAddress: string | null = null) =>
    createCaller(createContext({ deps: api.deps, authorization, clientAddress }), { onError })

  async function tokenFor(sub: string = randomUUID(), email: string | null = null) {
    return mintLocalToken(local, { sub, email })
  }

  /** A caller acting as a fresh user (or the given one). */
  async function user(sub: string = randomUUID()) {
    const token = await tokenFor(sub)
    return { id: sub, token, caller: callerFor(`Bearer ${token}`) }
  }

  return {
    db: testDb.db,
    connectionString: testDb.connectionString,
    fake: fake,
    api,
    deps: api.deps,
    tokenFor,
    user,
    /** A caller without a token, from `clientAddress` (as the server would resolve it). */
    anonymous: (clientAddress: string | null = null) => callerFor(null, clientAddress),
    callerWith: (authorization: string | null) => callerFor(authorization),
    async close() {
      await api.close()
      await redis?.cleanup()
      await fake.close()
      await testDb.destroy()
      if (undeclared.length > 0)
        throw new Error(
          `errors not declared in the procedures' .meta({ errors }): ${[...new Set(undeclared)].join(', ')}`,
        )
    },
  }
}

export type Harness = Awaited<ReturnType<typeof startHarness>>

/**
 * One harness for the whole test file: started before its first test, closed after its last.
 * Returns a stand-in that forwards to it, so tests read `h.user()` as usual.
 */
export function useHarness(opts: Parameters<typeof startHarness>[0] = {}): Harness {
  let current: Harness | null = null
  beforeAll(async () => {
    current = await startHarness(opts)
  })
  afterAll(async () => {
    await current?.close()
  })
  return new Proxy({} as Harness, {
    get(_, key) {
      if (current === null) throw new Error('the harness starts in beforeAll: use it inside tests')
      return Reflect.get(current, key) as unknown
    },
  })
}
