import { createHash } from 'node:crypto'

/**
 * A UUID derived from `(userId, id)`: the same inputs always give the same id, different users
 * never share one (short of a SHA-256 collision). Client-chosen ids are stored through it, so
 * each user has a key space of their own: an id another user chose never collides with yours,
 * and trying one reveals nothing about it. The result is a version-8 UUID (RFC 9562).
 *
 * @example
 *   userScopedId(user.id, clientMessageId) // what `messages.client_message_id` holds
 */
export function userScopedId(userId: string, id: string): string {
  const hex = createHash('sha256')
    .update(`${userId.toLowerCase()}:${id.toLowerCase()}`)
    .digest('hex')
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16)
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `8${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-')
}
