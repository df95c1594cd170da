import type { Model } from '@t3chat/client'

/** Models whose id or name contains every word of the query (case-insensitive). */
export function filterModels(models: readonly Model[], query: string): Model[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return [...models]
  return models.filter((model) => {
    const haystack = `${model.id} ${model.name}`.toLowerCase()
    return words.every((word) => haystack.includes(word))
  })
}

/** A context window for a person: `128k`, `2M`, `512` (never `0k`). */
export function formatContext(tokens: number): string {
  if (tokens >= 1_000_000) return `${Number((tokens / 1_000_000).toFixed(1))}M`
  if (tokens >= 1_000) return `${Math.round(tokens / 1_000)}k`
  return String(tokens)
}
