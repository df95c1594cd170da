import { z } from 'zod'

/** Field limits of API.md. */
export const LIMITS = {
  content: 100_000,
  systemPrompt: 20_000,
  title: 200,
  displayName: 100,
  preferencesBytes: 16 * 1024,
  model: 200,
} as const

export const id = z.uuid({ error: 'must be a UUID' })
export const modelId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.model)
  .regex(/^[\w.-]+\/[\w.:~@=,%-]+$/, 'must look like "vendor/model" (see model.list)')
export const title = z.string().trim().min(1, 'must not be empty').max(LIMITS.title)
export const systemPrompt = z.string().max(LIMITS.systemPrompt)
export const lastEventId = z.string().max(100).nullish()
