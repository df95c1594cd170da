import { InvalidCursorError } from '../errors'

/**
 * The position after the last hit of a search page, in the order of the results: rank (a
 * float4, exact in JSON), time (the exact Postgres value as text, microseconds), field, id.
 */
export interface SearchCursor {
  rank: number
  /** `YYYY-MM-DDTHH:MM:SS.ffffff`, UTC. */
  createdAt: string
  field: 'content' | 'title'
  messageId: string
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Encodes a cursor as opaque base64url text. */
export function encodeSearchCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify([c.rank, c.createdAt, c.field, c.messageId])).toString(
    'base64url',
  )
}

/** Decodes a cursor made by {@link encodeSearchCursor}; throws `InvalidCursorError` otherwise. */
export function decodeSearchCursor(text: string): SearchCursor {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw new InvalidCursorError()
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw new InvalidCursorError()
  const [rank, createdAt, field, messageId] = parsed as unknown[]
  if (
    typeof rank !== 'number' ||
    !Number.isFinite(rank) ||
    typeof createdAt !== 'string' ||
    !TIMESTAMP.test(createdAt) ||
    Number.isNaN(Date.parse(`${createdAt.slice(0, 23)}Z`)) ||
    (field !== 'content' && field !== 'title') ||
    typeof messageId !== 'string' ||
    !UUID.test(messageId)
  ) {
    throw new InvalidCursorError()
  }
  return { rank, createdAt, field, messageId }
}
