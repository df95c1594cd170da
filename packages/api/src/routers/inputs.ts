import { z } from 'zod'

/**
 * Field limits of API.md. Lengths count UTF-16 code units (JavaScript's `length`: an emoji
 * outside the Basic Multilingual Plane counts 2), as the contract says.
 */
export const LIMITS = {
  content: 100_000,
  systemPrompt: 20_000,
  title: 200,
  displayName: 100,
  preferencesBytes: 16 * 1024,
  model: 200,
  /** The largest `seq` a message can have (Postgres `integer`). */
  seq: 2_147_483_647,
} as const

const NUL = '\u0000'
// With the `u` flag a surrogate pair is one code point: only a lone surrogate matches.
const LONE_SURROGATE = /\p{Cs}/u

/** Why Postgres could not store `value` as text, or null when it can. */
export function unstorable(value: string): string | null {
  if (value.includes(NUL)) return 'must not contain the NUL character (\\u0000)'
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it has a lone surrogate)'
  return null
}

/** Refuses text that Postgres cannot store: NUL characters and lone surrogates (BAD_REQUEST). */
function storable(value: string, ctx: z.RefinementCtx): void {
  const problem = unstorable(value)
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem })
}

/** A string of at most `max` UTF-16 units that the database can store. */
export const text = (max: number) => z.string().max(max).superRefine(storable)

export const id = z.uuid({ error: 'must be a UUID' })
/**
 * Any model id the provider's catalog may list: OpenRouter's `vendor/model`, OpenAI's
 * `gpt-4o-mini`, Ollama's `llama3.2:3b`… Bounded and printable; whether the provider knows it
 * is checked against model.list.
 */
export const modelId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.model)
  .regex(/^[^\p{C}\s]+$/u, 'must be a model id without spaces or control characters')
export const title = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.title)
  .superRefine(storable)
export const systemPrompt = text(LIMITS.systemPrompt)
export const lastEventId = text(100).nullish()
/** A message `seq` (Postgres `integer`). */
export const seq = z.number().int().min(1).max(LIMITS.seq)
