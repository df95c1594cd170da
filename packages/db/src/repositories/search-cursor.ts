import { InvalidCursorError } from '../errors'
import {
  decodeCursorTuple,
  encodeCursorTuple,
  isCursorTimestamp,
  isUuid,
} from './conversation-cursor'

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

/** Encodes a cursor as opaque base64url text. */
export function encodeSearchCursor(c: SearchCursor): string {
  return encodeCursorTuple([c.rank, c.createdAt, c.field, c.messageId])
}

/** Decodes a cursor made by {@link encodeSearchCursor}; throws `InvalidCursorError` otherwise. */
export function decodeSearchCursor(text: string): SearchCursor {
  const [rank, createdAt, field, messageId] = decodeCursorTuple(text, 4)
  if (
    typeof rank !== 'number' ||
    !Number.isFinite(rank) ||
    !isCursorTimestamp(createdAt) ||
    (field !== 'content' && field !== 'title') ||
    !isUuid(messageId)
  ) {
    throw new InvalidCursorError()
  }
  return { rank, createdAt, field, messageId }
}
