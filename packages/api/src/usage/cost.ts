import type { ModelCatalog } from '@t3chat/llm'

/**
 * What an answer cost. The provider's own figure (`usage.cost` in the stream's last chunk, or
 * later from its generation endpoint) wins; without it the cost is estimated from the model
 * catalog's prices × tokens. Tokens the provider did not report are counted here as one per 4
 * characters (rounded up) — the usual rule of thumb for English text with GPT-style
 * tokenizers; good enough for an estimate, and it needs no tokenizer per model.
 */
export interface Settled {
  promptTokens: number | null
  completionTokens: number | null
  cost: number | null
  costSource: 'provider' | 'estimated' | null
}

/** Tokens in `chars` characters of text, by the 4-characters rule. */
export function countTokens(chars: number): number {
  return Math.ceil(chars / 4)
}

/** USD for the tokens at the model's catalog price; null when the catalog has no price. */
export async function estimateCost(
  models: ModelCatalog,
  model: string,
  promptTokens: number,
  completionTokens: number,
): Promise<number | null> {
  const pricing = (await models.resolve(model).catch(() => null))?.pricing
  if (pricing == null) return null
  const prompt = Number(pricing.prompt)
  const completion = Number(pricing.completion)
  if (!Number.isFinite(prompt) || !Number.isFinite(completion) || prompt < 0 || completion < 0)
    return null
  return promptTokens * prompt + completionTokens * completion
}

/**
 * The usage to store for an answer: the provider's when it gave a cost; otherwise an estimate
 * when anything was generated (text, or tokens reported); nothing when nothing was.
 */
export async function settleUsage(
  models: ModelCatalog,
  a: {
    model: string
    promptChars: number
    answerChars: number
    promptTokens: number | null
    completionTokens: number | null
    cost: number | null
  },
): Promise<Settled> {
  if (a.cost !== null) {
    return {
      promptTokens: a.promptTokens ?? countTokens(a.promptChars),
      completionTokens: a.completionTokens ?? countTokens(a.answerChars),
      cost: a.cost,
      costSource: 'provider',
    }
  }
  if (a.answerChars === 0 && a.promptTokens === null && a.completionTokens === null)
    return { promptTokens: null, completionTokens: null, cost: null, costSource: null }
  const promptTokens = a.promptTokens ?? countTokens(a.promptChars)
  const completionTokens = a.completionTokens ?? countTokens(a.answerChars)
  const cost = await estimateCost(models, a.model, promptTokens, completionTokens)
  return { promptTokens, completionTokens, cost, costSource: cost === null ? null : 'estimated' }
}

/** The UTC day of `at`, `YYYY-MM-DD`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10)
}
