import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import type {
  Database,
  Executor,
  Message,
  MessageRole,
  MessageStatus,
  MessageUpdate,
} from '../database'
import { selectBranchedMessages, type BranchedMessage } from './branches'

/** A message to append; its `seq` is assigned by {@link appendMessages}. */
export interface MessageDraft {
  role: MessageRole
  content: string
  model?: string | null
  status: MessageStatus
  clientMessageId?: string | null
}

/**
 * Appends messages to the user's conversation after its active leaf (each the parent of the
 * next), with the next gap-free seqs; the last becomes the leaf. Bumps the conversation
 * (counts, last message time, activity, preview when given). Undefined when the
 * conversation is not the user's. Concurrent appends to one conversation serialise on its row.
 */
export async function appendMessages(
  trx: Transaction<Database>,
  a: {
    userId: string
    conversationId: string
    messages: MessageDraft[]
    preview?: string | null
  },
): Promise<Message[] | undefined> {
  const n = a.messages.length
  const preview = a.preview ?? null
  // The UPDATE takes the row lock first, so seq numbers are handed out one transaction at a time.
  const conversation = await trx
    .updateTable('conversations')
    .set((eb) => ({
      lastSeq: eb('lastSeq', '+', n),
      messageCount: eb('messageCount', '+', n),
      ...(n > 0 ? { lastMessageAt: sql<Date>`now()`, activityAt: sql<Date>`now()` } : {}),
      ...(preview !== null ? { preview } : {}),
    }))
    .where('id', '=', a.conversationId)
    .where('userId', '=', a.userId)
    .returning(['lastSeq', 'leafMessageId'])
    .executeTakeFirst()
  if (!conversation) return undefined
  if (n === 0) return []

  const firstSeq = conversation.lastSeq - n + 1
  const ids = a.messages.map(() => randomUUID())
  const inserted = await trx
    .insertInto('messages')
    .values(
      a.messages.map((m, i) => ({
        id: ids[i],
        parentId: i === 0 ? conversation.leafMessageId : ids[i - 1],
        conversationId: a.conversationId,
        seq: firstSeq + i,
        role: m.role,
        content: m.content,
        model: m.model ?? null,
        status: m.status,
        clientMessageId: m.clientMessageId ?? null,
      })),
    )
    .returningAll()
    .execute()
  await trx
    .updateTable('conversations')
    .set({ leafMessageId: ids.at(-1) })
    .where('id', '=', a.conversationId)
    .execute()
  return inserted.sort((x, y) => x.seq - y.seq)
}

/** The message with its branch position, if its conversation belongs to `userId`. */
export async function findMessage(
  db: Executor,
  key: { userId: string; id: string },
): Promise<BranchedMessage | undefined> {
  return selectBranchedMessages(db)
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .where('messages.id', '=', key.id)
    .where('conversations.userId', '=', key.userId)
    .executeTakeFirst()
}

/** The message created with this client-supplied id, if it is the user's (idempotent sends). */
export async function findMessageByClientId(
  db: Executor,
  key: { userId: string; clientMessageId: string },
): Promise<BranchedMessage | undefined> {
  return selectBranchedMessages(db)
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .where('messages.clientMessageId', '=', key.clientMessageId)
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

/** Changes a message by id (engine-internal: no ownership check). Undefined if it is gone. */
export async function updateMessage(
  db: Executor,
  id: string,
  patch: MessageUpdate,
): Promise<Message | undefined> {
  if (Object.keys(patch).length === 0) {
    return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst()
  }
  return db
    .updateTable('messages')
    .set(patch)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
}

/** The conversation's answer still `pending`/`streaming`, if any (uses the partial live index). */
export async function findLiveMessage(
  db: Executor,
  key: { userId: string; conversationId: string },
): Promise<Message | undefined> {
  return db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .selectAll('messages')
    .where('messages.conversationId', '=', key.conversationId)
    .where('messages.status', 'in', ['pending', 'streaming'])
    .where('conversations.userId', '=', key.userId)
    .orderBy('messages.seq', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/**
 * Appends streamed text to a message's content in the database (one write per flush, not per
 * token), optionally changing its status. Engine-internal: no ownership check.
 */
export async function appendMessageContent(
  db: Executor,
  m: { id: string; text: string; status?: MessageStatus },
): Promise<Message | undefined> {
  return db
    .updateTable('messages')
    .set((eb) => ({
      content: sql<string>`${eb.ref('content')} || ${m.text}`,
      ...(m.status !== undefined ? { status: m.status } : {}),
    }))
    .where('id', '=', m.id)
    .returningAll()
    .executeTakeFirst()
}

/**
 * Ends every `pending`/`streaming` message (created before `createdBefore`, when given) as
 * `error` with this code and message, keeping its text: crash recovery at start-up. With
 * several instances, pass `createdBefore` or run it only where no other instance is generating.
 */
export async function failLiveMessages(
  db: Executor,
  f: { errorCode: string; errorMessage: string; createdBefore?: Date },
): Promise<Message[]> {
  const { createdBefore } = f
  const query = db
    .updateTable('messages')
    .set({
      status: 'error',
      errorCode: f.errorCode,
      errorMessage: f.errorMessage,
      completedAt: sql<Date>`now()`,
    })
    .where('status', 'in', ['pending', 'streaming'])
    .returningAll()
  const scoped = createdBefore ? query.where('createdAt', '<', createdBefore) : query
  return scoped.execute()
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
