/** A fake model id `slug[:k=v,k=v]` split into its slug and (URI-decoded) parameters. */
export interface FakeModelId {
  slug: string
  params: Map<string, string>
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** Parses an OpenRouter-style model id; parts without `=` (like `nitro`) are ignored. */
export function parseFakeModelId(id: string): FakeModelId {
  const colon = id.indexOf(':')
  const params = new Map<string, string>()
  if (colon < 0) return { slug: id, params }
  for (const part of id.slice(colon + 1).split(',')) {
    const eq = part.indexOf('=')
    if (eq > 0) params.set(part.slice(0, eq).trim(), decode(part.slice(eq + 1)))
  }
  return { slug: id.slice(0, colon), params }
}

/** A non-negative number parameter, or `fallback` when missing or invalid. */
export function numParam(params: Map<string, string>, key: string, fallback: number): number {
  const raw = params.get(key)
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  return Number.isFinite(n) && n >= 0 ? n : fallback
}
