import { InvalidCursorError } from '../errors'

/**
 * The position after the last conversation of a page. `activityAt` is the exact Postgres value
 * (UTC, microseconds) as text: a JS Date would round to milliseconds and skip or repeat rows.
 */
export interface ConversationCursor {
  /** `YYYY-MM-DDTHH:MM:SS.ffffff`, UTC. */
  activityAt: string
  id: string
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Encodes a cursor as opaque base64url text. */
export function encodeConversationCursor(cursor: ConversationCursor): string {
  return encodeCursorTuple([cursor.activityAt, cursor.id])
}

/** Decodes a cursor made by {@link encodeConversationCursor}; throws `InvalidCursorError` otherwise. */
export function decodeConversationCursor(text: string): ConversationCursor {
  const [activityAt, id] = decodeCursorTuple(text, 2)
  if (!isCursorTimestamp(activityAt) || !isUuid(id)) throw new InvalidCursorError()
  return { activityAt, id }
}

/** A keyset position as opaque base64url text (a JSON array). */
export function encodeCursorTuple(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url')
}

/** The array of {@link encodeCursorTuple}, of exactly `length` items; `InvalidCursorError` otherwise. */
export function decodeCursorTuple(text: string, length: number): unknown[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw new InvalidCursorError()
  }
  if (!Array.isArray(parsed) || parsed.length !== length) throw new InvalidCursorError()
  return parsed as unknown[]
}

/** An exact Postgres time as cursors carry it (`YYYY-MM-DDTHH:MM:SS.ffffff`, UTC, a real date). */
export function isCursorTimestamp(value: unknown): value is string {
  return typeof value === 'string' && TIMESTAMP.test(value) && isRealDate(value)
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}

// Rejects well-shaped but impossible dates (2026-02-30) before Postgres would fail on them.
function isRealDate(timestamp: string): boolean {
  const millis = timestamp.slice(0, 23)
  const date = new Date(`${millis}Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 23) === millis
}
