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
