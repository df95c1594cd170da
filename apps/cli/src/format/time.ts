const UNITS: Array<[limitSec: number, divisorSec: number, unit: string]> = [
  [60, 1, 's'],
  [3_600, 60, 'm'],
  [86_400, 3_600, 'h'],
  [604_800, 86_400, 'd'],
  [2_629_800, 604_800, 'w'],
  [31_557_600, 2_629_800, 'mo'],
]

/** A compact age such as `just now`, `5m ago`, `3d ago`, `2y ago`. */
export function relativeTime(iso: string | null, now: number = Date.now()): string {
  if (iso === null) return '—'
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return '—'
  const seconds = Math.max(0, Math.round((now - then) / 1000))
  if (seconds < 10) return 'just now'
  for (const [limit, divisor, unit] of UNITS) {
    if (seconds < limit) return `${Math.floor(seconds / divisor)}${unit} ago`
  }
  return `${Math.floor(seconds / 31_557_600)}y ago`
}
