import { Redis } from 'ioredis'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenVerifier } from '@t3chat/auth'
import { createLocalTestAuth } from '@t3chat/auth/testing'
import { createTestDb } from '@t3chat/db/testing'
import { createModelCatalog, FALLBACK_MODELS } from '@t3chat/llm'
import { createApi, createCaller, createContext } from '../src/index'
import { useHarness, startHarness, type Harness } from './harness'
import { expectTRPCError } from './support/core-errors'

const h = useHarness({ config: { version: '9.8.7-test' } })

/** A keyless API on `db` (and on `redis`, when given), outside the harness. */
function keylessApi(
  db: Parameters<typeof createApi>[0]['db'],
  redis: { client: Redis; keyPrefix: string } | null,
) {
  return createApi({
    db,
    verifier: createTokenVerifier({ mode: 'local', secret: createLocalTestAuth().secret }),
    llm: null,
    models: createModelCatalog({ provider: null }),
    logger: pino({ level: 'silent' }),
    redis,
  })
}

async function expectHealthFails(api: ReturnType<typeof createApi>) {
  const error = await expectTRPCError(
    createCaller(createContext({ deps: api.deps })).health(),
    'INTERNAL_SERVER_ERROR',
  )
  // The cause is logged, not sent.
  expect(error.message).toBe('Internal error')
}

describe('health', () => {
  it('answers without a token: status ok, database ok, the configured version', async () => {
    await expect(h.anonymous().health()).resolves.toStrictEqual({
      status: 'ok',
      db: 'ok',
      redis: process.env.T3CHAT_TEST_REDIS_URL ? 'ok' : 'off',
      version: '9.8.7-test',
    })
  })

  it('is an error, never "ok", when a configured Redis does not answer', async () => {
    const testDb = await createTestDb({ databaseUrl: process.env.DATABASE_URL })
    // Nothing listens on port 1: the client keeps trying, health must not wait for it.
    const client = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true })
    client.on('error', () => undefined)
    const api = keylessApi(testDb.db, { client, keyPrefix: 'unreachable:' })
    try {
      await expectHealthFails(api)
    } finally {
      client.disconnect()
      await testDb.destroy()
    }
  })

  it('is an error, never "ok", when the database is unreachable', async () => {
    const testDb = await createTestDb({ databaseUrl: process.env.DATABASE_URL })
    const api = keylessApi(testDb.db, null)
    await testDb.destroy()
    try {
      await expectHealthFails(api)
    } finally {
      await api.close()
    }
  })
})

describe('model.list', () => {
  it('needs a token', async () => {
    await expectTRPCError(h.anonymous().model.list(), 'UNAUTHORIZED')
  })

  it("serves the upstream's /models in the Model shape, cached", async () => {
    const { caller } = await h.user()
    const before = h.fake.modelsRequests
    const { models } = await caller.model.list()
    const echo = models.find((m) => m.id === 'fake/echo')
    expect(echo).toStrictEqual({
      id: 'fake/echo',
      name: 'Fake: Echo',
      contextLength: 128_000,
      pricing: { prompt: '0.0000005', completion: '0.000001' },
    })
    expect(models.find((m) => m.id === 'fake/tiny')?.contextLength).toBe(256)
    // Bundled models are listed by the fake as well; the point is the upstream's own entries.
    expect(models.length).toBeGreaterThan(FALLBACK_MODELS.length)
    for (const model of models) {
      expect(Object.keys(model).sort()).toEqual(['contextLength', 'id', 'name', 'pricing'])
    }

    await caller.model.list()
    const { caller: other } = await h.user()
    await other.model.list()
    expect(h.fake.modelsRequests - before).toBeLessThanOrEqual(1)
  })
})

describe('model.list with the upstream down', () => {
  let down: Harness
  beforeAll(async () => {
    down = await startHarness()
    down.fake.setModelsAvailable(false)
  })
  afterAll(async () => {
    await down.close()
  })

  it('serves the bundled fallback list', async () => {
    const { caller } = await down.user()
    const { models } = await caller.model.list()
    expect(models).toStrictEqual([...FALLBACK_MODELS])
    expect(models.some((m) => m.id.startsWith('fake/'))).toBe(false)
    expect(down.fake.modelsRequests).toBeGreaterThanOrEqual(1)
  })

  it('does not refuse a model id it merely cannot see (the provider judges it)', async () => {
    const { caller } = await down.user()
    const conversation = await caller.conversation.create({ model: 'vendor/not-in-the-fallback' })
    expect(conversation.currentModel).toBe('vendor/not-in-the-fallback')
  })
})
