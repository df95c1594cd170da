import type { AuthUser } from '@t3chat/auth'
import { listMessages, listSiblings } from '@t3chat/db'
import type { ApiDeps } from '../deps'
import { NotFoundError } from '../errors'
import { toMessage } from '../mappers'
import type { Message } from '../shapes'

/**
 * A page of history; an answer streaming on this instance shows its live text. A page stops
 * at `maxPageChars` of content (always at least the newest message), and `nextBefore` then
 * continues from there, so no response grows with the size of the answers in it.
 */
export async function list(
  deps: ApiDeps,
  user: AuthUser,
  input: { conversationId: string; limit: number; before: number | null },
): Promise<{ items: Message[]; nextBefore: number | null }> {
  const page = await listMessages(deps.db, { userId: user.id, ...input })
  if (page === undefined) throw new NotFoundError('conversation')
  const items = page.items.map((row) => deps.runner.current(toMessage(row)))
  // Oldest first: keep the newest that fit.
  let chars = 0
  let first = items.length
  while (first > 0) {
    const size = items[first - 1]?.content.length ?? 0
    if (first < items.length && chars + size > deps.config.maxPageChars) break
    chars += size
    first--
  }
  if (first === 0) return { items, nextBefore: page.nextBefore }
  const kept = items.slice(first)
  return { items: kept, nextBefore: kept[0]?.seq ?? page.nextBefore }
}

/** The messages sharing this message's parent (itself included), in creation order. */
export async function siblings(
  deps: ApiDeps,
  user: AuthUser,
  input: { messageId: string },
): Promise<{ items: Message[] }> {
  const rows = await listSiblings(deps.db, { userId: user.id, messageId: input.messageId })
  if (rows === undefined) throw new NotFoundError('message')
  return { items: rows.map((row) => deps.runner.current(toMessage(row))) }
}
