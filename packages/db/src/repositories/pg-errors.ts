/**
 * Postgres errors that repositories turn into typed outcomes, so that no layer above parses
 * SQLSTATE codes. Works for both drivers (pg and PGlite report `code` and `constraint`).
 */

/** The constraint a unique violation (23505) hit, or null for any other error. */
export function uniqueViolation(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null
  if (!('code' in error) || error.code !== '23505') return null
  return 'constraint' in error && typeof error.constraint === 'string' ? error.constraint : ''
}
