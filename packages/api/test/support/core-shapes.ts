import { expect } from 'vitest'

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Matches an ISO-8601 UTC timestamp string as the API returns them (`toISOString()`). */
export const anIso: unknown = expect.stringMatching(ISO)

/** Matches a lower-case UUID string. */
export const aUuid: unknown = expect.stringMatching(UUID)

/** Asserts an ISO timestamp string that lies within the test's run (± a little clock slack). */
export function expectRecentIso(value: string | null, since: number): void {
  expect(value).toMatch(ISO)
  const at = Date.parse(value ?? '')
  expect(at).toBeGreaterThanOrEqual(since - 1_000)
  expect(at).toBeLessThanOrEqual(Date.now() + 1_000)
}
