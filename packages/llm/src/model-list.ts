import { z } from 'zod'
import { LlmError } from './errors'
import type { Model } from './provider'

const price = z.union([z.string(), z.number()]).transform(String)

const entrySchema = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  context_length: z.number().nullish(),
  top_provider: z.object({ context_length: z.number().nullish() }).nullish(),
  pricing: z.object({ prompt: price, completion: price }).nullish(),
})

const listSchema = z.object({ data: z.array(z.unknown()) })

function positiveInt(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null
}

/**
 * Maps an OpenRouter `GET /models` body to {@link Model}s. Entries that do not fit are skipped
 * rather than failing the whole list; a body that is not a list at all is an LlmError.
 */
export function parseModelList(raw: unknown): Model[] {
  const list = listSchema.safeParse(raw)
  if (!list.success) {
    throw new LlmError(
      'upstream_unavailable',
      'The model provider returned an unexpected model list. Try again later.',
      { cause: list.error },
    )
  }
  const models: Model[] = []
  for (const item of list.data.data) {
    const entry = entrySchema.safeParse(item)
    if (!entry.success) continue
    const m = entry.data
    models.push({
      id: m.id,
      name: m.name ?? m.id,
      contextLength: positiveInt(m.context_length) ?? positiveInt(m.top_provider?.context_length),
      pricing: m.pricing ? { prompt: m.pricing.prompt, completion: m.pricing.completion } : null,
    })
  }
  return models
}
