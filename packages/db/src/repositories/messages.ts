import type { Kysely, Transaction } from 'kysely'
import type { Database, Executor, Message } from '../database'

/** The message, if its conversation belongs to `userId`. */
export async function findMessage(
  db: Executor,
  key: { userId: string; id: string },
): Promise<Message | undefined> {
  return db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .selectAll('messages')
    .where('messages.id', '=', key.id)
    .where('conversations.userId', '=', key.userId)
    .executeTakeFirst()
}

/** The message created with this client-supplied id, if it is the user's (idempotent sends). */
export async function findMessageByClientId(
  db: Executor,
  key: { userId: string; clientMessageId: string },
): Promise<Message | undefined> {
  return db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .selectAll('messages')
    .where('messages.clientMessageId', '=', key.clientMessageId)
    .where('conversations.userId', '=', key.userId)
    .executeTakeFirst()
}

/**
 * One page of a conversation's visible messages, newest page first, items in ascending seq.
 * `before` is an exclusive seq (null for the newest page); pass `nextBefore` to get the older
 * page (null when there is none). Undefined when the conversation is not the user's.
 */
export async function listMessages(
  db: Executor,
  q: { userId: string; conversationId: string; limit: number; before: number | null },
): Promise<{ items: Message[]; nextBefore: number | null } | undefined> {
  if (!Number.isInteger(q.limit) || q.limit < 1) throw new RangeError('limit must be ≥ 1')
  const owned = await db
    .selectFrom('conversations')
    .select('id')
    .where('id', '=', q.conversationId)
    .where('userId', '=', q.userId)
    .executeTakeFirst()
  if (!owned) return undefined

  const rows = await listMessagesQuery(db, q).execute()
  const page = rows.slice(0, q.limit).reverse()
  const oldest = page[0]
  const nextBefore = rows.length > q.limit && oldest ? oldest.seq : null
  return { items: page, nextBefore }
}

/**
 * The page query behind {@link listMessages}, newest first, one extra row to detect a next
 * page. Ownership is checked separately. Exported so tests can EXPLAIN exactly what runs.
 */
export function listMessagesQuery(
  db: Kysely<Database> | Transaction<Database>,
  q: { conversationId: string; limit: number; before: number | null },
) {
  const query = db
    .selectFrom('messages')
    .selectAll()
    .where('conversationId', '=', q.conversationId)
    .where('hidden', '=', false)
    .orderBy('seq', 'desc')
    .limit(q.limit + 1)
  return q.before === null ? query : query.where('seq', '<', q.before)
}
