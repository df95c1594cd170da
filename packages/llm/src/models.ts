import { FALLBACK_MODELS } from './fallback-models'
import type { LlmProvider, Model } from './provider'

/** Context window assumed for a model whose context length is unknown. */
export const DEFAULT_CONTEXT_LENGTH = 32_768

/** Options of {@link createModelCatalog}. */
export interface ModelCatalogOptions {
  /** Where the live list comes from; null (keyless run) → always the fallback. */
  provider: Pick<LlmProvider, 'listModels'> | null
  /** How long a fetched list is served from memory. Default 10 min. */
  ttlMs?: number
  /** The list served while the upstream is unreachable. Default {@link FALLBACK_MODELS}. */
  fallback?: readonly Model[]
  /** After a failed fetch, how long to serve the fallback before asking again. Default 30 s. */
  failureBackoffMs?: number
  /** Bound on one `GET /models`. Default 10 s. */
  fetchTimeoutMs?: number
  now?: () => number
}

/** The model list as served to clients. */
export interface ModelList {
  models: Model[]
  source: 'upstream' | 'fallback'
}

/** A cached view of the provider's models. */
export interface ModelCatalog {
  list(): Promise<ModelList>
  /** The model for `id`, accepting OpenRouter variant suffixes (`:nitro`, `:free`…); null if unknown. */
  resolve(id: string): Promise<Model | null>
}

/**
 * A model catalog over the provider's `GET /models`: cached for `ttlMs`, one fetch at a time
 * however many callers wait, and the bundled fallback (or the last good list) while the
 * upstream is down, asking again only after `failureBackoffMs`.
 *
 * @example
 * ```ts
 * const catalog = createModelCatalog({ provider: llm })
 * const model = await catalog.resolve('openai/gpt-4o-mini:nitro') // id kept, data of the base slug
 * ```
 */
export function createModelCatalog(opts: ModelCatalogOptions): ModelCatalog {
  const ttlMs = opts.ttlMs ?? 10 * 60_000
  const failureBackoffMs = opts.failureBackoffMs ?? 30_000
  const fetchTimeoutMs = opts.fetchTimeoutMs ?? 10_000
  const now = opts.now ?? Date.now
  const fallback: ModelList = {
    models: [...(opts.fallback ?? FALLBACK_MODELS)],
    source: 'fallback',
  }

  let cached: { list: ModelList; byId: Map<string, Model>; fetchedAt: number } | null = null
  let fallbackIndex: Map<string, Model> | null = null
  let retryAt = 0
  let inflight: Promise<void> | null = null

  async function refresh(provider: Pick<LlmProvider, 'listModels'>): Promise<void> {
    try {
      const models = await provider.listModels(AbortSignal.timeout(fetchTimeoutMs))
      if (models.length === 0) throw new Error('empty model list')
      cached = {
        list: { models, source: 'upstream' },
        byId: new Map(models.map((model) => [model.id, model])),
        fetchedAt: now(),
      }
    } catch {
      // Callers get the fallback (or the stale list); the failure is not theirs to handle.
      retryAt = now() + failureBackoffMs
    }
  }

  async function current(): Promise<{ list: ModelList; byId: Map<string, Model> }> {
    const provider = opts.provider
    const t = now()
    const fresh = cached !== null && t - cached.fetchedAt < ttlMs
    if (provider && !fresh && t >= retryAt) {
      inflight ??= refresh(provider).finally(() => {
        inflight = null
      })
      await inflight
    }
    if (cached) return cached
    fallbackIndex ??= new Map(fallback.models.map((model) => [model.id, model]))
    return { list: fallback, byId: fallbackIndex }
  }

  return {
    async list() {
      const { list } = await current()
      return { models: [...list.models], source: list.source }
    },
    async resolve(id) {
      const { byId } = await current()
      const exact = byId.get(id)
      if (exact) return exact
      const colon = id.indexOf(':')
      if (colon <= 0) return null
      const base = byId.get(id.slice(0, colon))
      return base ? { ...base, id } : null
    },
  }
}
