import { OPENROUTER_BASE_URL } from './openrouter'

/**
 * Two account calls of OpenRouter outside chat: checking a key (`GET /key`) and asking the
 * cost of a past generation (`GET /generation?id=`). Plain fetch, short timeouts; neither
 * ever puts the key in an error message.
 */
export interface AccountOptions {
  baseURL?: string
  fetch?: typeof fetch
  /** Per request. Default 10 s. */
  timeoutMs?: number
}

/** The result of checking a key: `rejected` is the provider's 401/403. */
export type KeyCheck = { ok: true } | { ok: false; reason: 'rejected' | 'unavailable' }

/** What a generation cost, once the provider has it. */
export interface GenerationCost {
  cost: number
  promptTokens: number
  completionTokens: number
}

function endpoint(opts: AccountOptions, path: string): string {
  return `${(opts.baseURL ?? OPENROUTER_BASE_URL).replace(/\/+$/, '')}${path}`
}

async function get(opts: AccountOptions, path: string, apiKey: string): Promise<Response> {
  const doFetch = opts.fetch ?? fetch
  return doFetch(endpoint(opts, path), {
    headers: { Authorization: `Bearer ${apiKey}` },
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  })
}

/** Asks the provider whether `apiKey` works (`GET /key`). */
export async function checkProviderKey(opts: AccountOptions, apiKey: string): Promise<KeyCheck> {
  try {
    const res = await get(opts, '/key', apiKey)
    await res.body?.cancel()
    if (res.ok) return { ok: true }
    if (res.status === 401 || res.status === 403) return { ok: false, reason: 'rejected' }
    return { ok: false, reason: 'unavailable' }
  } catch {
    return { ok: false, reason: 'unavailable' }
  }
}

/**
 * The cost of generation `id` (`GET /generation?id=`), or null while the provider does not
 * have it yet (404, a few seconds after the end) or cannot say. Throws nothing.
 */
export async function fetchGenerationCost(
  opts: AccountOptions,
  apiKey: string,
  id: string,
): Promise<GenerationCost | null> {
  try {
    const res = await get(opts, `/generation?id=${encodeURIComponent(id)}`, apiKey)
    if (!res.ok) {
      await res.body?.cancel()
      return null
    }
    const body = (await res.json()) as { data?: Record<string, unknown> }
    const data = body.data
    const cost = data?.total_cost
    if (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0) return null
    const count = (v: unknown) =>
      typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0
    return {
      cost,
      promptTokens: count(data?.tokens_prompt),
      completionTokens: count(data?.tokens_completion),
    }
  } catch {
    return null
  }
}
