import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from '../src/fake/index'
import {
  createModelCatalog,
  createOpenRouterProvider,
  FALLBACK_MODELS,
  type LlmProvider,
} from '../src/index'

let fake: FakeUpstream
let llm: LlmProvider
let clock = 1_000_000
const now = (): number => clock

beforeEach(async () => {
  fake = await startFakeUpstream()
  llm = createOpenRouterProvider({ apiKey: 'k', baseURL: fake.baseURL })
  clock = 1_000_000
})
afterEach(() => fake.close())

describe('model catalog', () => {
  it('lists the upstream models', async () => {
    const catalog = createModelCatalog({ provider: llm, now })
    const { models, source } = await catalog.list()
    expect(source).toBe('upstream')
    expect(models.map((m) => m.id)).toEqual(
      expect.arrayContaining(['fake/lorem', 'fake/tiny', 'openai/gpt-4o']),
    )
    expect(models.find((m) => m.id === 'fake/tiny')?.contextLength).toBe(256)
  })

  it('caches the list for the TTL, then fetches again', async () => {
    const catalog = createModelCatalog({ provider: llm, ttlMs: 60_000, now })
    await catalog.list()
    clock += 59_000
    await catalog.list()
    await catalog.resolve('fake/lorem')
    expect(fake.modelsRequests).toBe(1)
    clock += 2_000
    await catalog.list()
    expect(fake.modelsRequests).toBe(2)
  })

  it('shares one fetch between concurrent callers', async () => {
    const catalog = createModelCatalog({ provider: llm, now })
    const results = await Promise.all([
      catalog.list(),
      catalog.list(),
      catalog.resolve('fake/echo'),
      catalog.list(),
    ])
    expect(fake.modelsRequests).toBe(1)
    expect(results[2]?.id).toBe('fake/echo')
  })

  it('falls back to the bundled list when the upstream fails, and backs off before retrying', async () => {
    fake.setModelsAvailable(false)
    const catalog = createModelCatalog({ provider: llm, now, failureBackoffMs: 30_000 })
    const first = await catalog.list()
    expect(first).toEqual({ models: [...FALLBACK_MODELS], source: 'fallback' })
    expect(await catalog.resolve('fake/lorem')).toBeNull()
    expect(fake.modelsRequests).toBe(1)

    fake.setModelsAvailable(true)
    clock += 10_000
    expect((await catalog.list()).source).toBe('fallback')
    expect(fake.modelsRequests).toBe(1)

    clock += 25_000
    expect((await catalog.list()).source).toBe('upstream')
    expect(fake.modelsRequests).toBe(2)
  })

  it('keeps serving the last good list when a refresh fails', async () => {
    const catalog = createModelCatalog({ provider: llm, ttlMs: 1_000, now })
    await catalog.list()
    fake.setModelsAvailable(false)
    clock += 5_000
    const { source, models } = await catalog.list()
    expect(source).toBe('upstream')
    expect(models.some((m) => m.id === 'fake/lorem')).toBe(true)
    expect(fake.modelsRequests).toBe(2)
  })

  it('uses the fallback without asking anyone when there is no provider', async () => {
    const catalog = createModelCatalog({ provider: null })
    expect((await catalog.list()).source).toBe('fallback')
    expect((await catalog.resolve('openai/gpt-4o-mini'))?.name).toBe('OpenAI: GPT-4o-mini')
    expect(fake.modelsRequests).toBe(0)
  })

  it('resolves exact ids, variant suffixes and unknown ids', async () => {
    const catalog = createModelCatalog({ provider: llm, now })
    const base = await catalog.resolve('openai/gpt-4o-mini')
    expect(base?.id).toBe('openai/gpt-4o-mini')
    const nitro = await catalog.resolve('openai/gpt-4o-mini:nitro')
    expect(nitro).toEqual({ ...base, id: 'openai/gpt-4o-mini:nitro' })
    expect((await catalog.resolve('fake/lorem:tokens=3,delay=5'))?.id).toBe(
      'fake/lorem:tokens=3,delay=5',
    )
    expect(await catalog.resolve('nobody/nothing')).toBeNull()
    expect(await catalog.resolve('nobody/nothing:free')).toBeNull()
    expect(await catalog.resolve(':nitro')).toBeNull()
  })

  it('returns a copy that callers cannot corrupt', async () => {
    const catalog = createModelCatalog({ provider: llm, now })
    const first = await catalog.list()
    first.models.length = 0
    expect((await catalog.list()).models.length).toBeGreaterThan(10)
  })
})
