import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, Executor, Message } from '../database'
import { userScopedId } from '../scoped-id'
import { selectBranchedMessages, type BranchedMessage } from './branches'

/**
 * The message with its branch position, if its conversation belongs to `userId`; with `orId`,
 * the one of the two ids that is the user's (`id` first).
 */
export async function findMessage(
  db: Executor,
  key: { userId: string; id: string; orId?: string },
): Promise<BranchedMessage | undefined> {
  const query = selectBranchedMessages(db)
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .where('conversations.userId', '=', key.userId)
  if (key.orId === undefined) return query.where('messages.id', '=', key.id).executeTakeFirst()
  // Both in one statement; `id` wins when the user has both.
  return query
    .where('messages.id', 'in', [key.id, key.orId])
    .orderBy(sql`messages.id = ${key.id}`, 'desc')
    .limit(1)
    .executeTakeFirst()
}

/**
 * The message created with this client-supplied id, if it is the user's (idempotent sends).
 * Client ids are stored per user ({@link userScopedId}): another user's id is never found.
 */
export async function findMessageByClientId(
  db: Executor,
  key: { userId: string; clientMessageId: string },
): Promise<BranchedMessage | undefined> {
  return selectBranchedMessages(db)
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .where('messages.clientMessageId', '=', userScopedId(key.userId, key.clientMessageId))
    .where('conversations.userId', '=', key.userId)
    .executeTakeFirst()
}

/**
 * One page of a conversation's active path (root → leaf), newest page first, items in
 * ascending seq, each with its branch position.
 * `before` is an exclusive seq (null for the newest page); pass `nextBefore` to get the older
 * page (null when there is none). Undefined when the conversation is not the user's.
 */
export async function listMessages(
  db: Executor,
  q: { userId: string; conversationId: string; limit: number; before: number | null },
): Promise<{ items: BranchedMessage[]; nextBefore: number | null } | undefined> {
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
  const query = selectBranchedMessages(db)
    .where('messages.conversationId', '=', q.conversationId)
    .where('messages.hidden', '=', false)
    .orderBy('messages.seq', 'desc')
    .limit(q.limit + 1)
  return q.before === null ? query : query.where('messages.seq', '<', q.before)
}

/**
 * The path from the conversation's first message down to `upTo` (inclusive; any branch), or
 * the active path when `upTo` is null, in order. Undefined when `upTo` is not a message of
 * that conversation. Ownership is the caller's to check.
 */
export async function listActivePath(
  db: Executor,
  q: { conversationId: string; upTo: string | null },
): Promise<Message[] | undefined> {
  if (q.upTo === null) {
    return db
      .selectFrom('messages')
      .selectAll()
      .where('conversationId', '=', q.conversationId)
      .where('hidden', '=', false)
      .orderBy('seq', 'asc')
      .execute()
  }
  const result = await sql<Message>`
    with recursive up as (
      select * from messages where id = ${q.upTo} and conversation_id = ${q.conversationId}
      union all
      select m.* from messages m
      join up on m.conversation_id = ${q.conversationId} and m.id = up.parent_id
    )
    select * from up order by seq`.execute(db)
  return result.rows.length === 0 ? undefined : result.rows
}
