import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import type { Conversation, Database, Executor } from '../database'
import {
  decodeConversationCursor,
  encodeConversationCursor,
  type ConversationCursor,
} from './conversation-cursor'

/** A conversation's owner and id: every lookup is scoped to its owner. */
export interface ConversationKey {
  userId: string
  id: string
}

/** Creates a conversation for `userId` (who must exist). */
export async function createConversation(
  db: Executor,
  c: { userId: string; title?: string | null; systemPrompt?: string | null; currentModel: string },
): Promise<Conversation> {
  return db
    .insertInto('conversations')
    .values({
      userId: c.userId,
      title: c.title ?? null,
      titleSetByUser: c.title != null,
      systemPrompt: c.systemPrompt ?? null,
      currentModel: c.currentModel,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** The conversation, if it exists and belongs to `userId`. */
export async function findConversation(
  db: Executor,
  key: ConversationKey,
): Promise<Conversation | undefined> {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', key.id)
    .where('userId', '=', key.userId)
    .executeTakeFirst()
}

/** Like `findConversation`, but locks the row (`FOR UPDATE`) until the transaction ends. */
export async function lockConversation(
  trx: Transaction<Database>,
  key: ConversationKey,
): Promise<Conversation | undefined> {
  return trx
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', key.id)
    .where('userId', '=', key.userId)
    .forUpdate()
    .executeTakeFirst()
}

/** Changes the given fields; undefined when the conversation is not the user's. */
export async function updateConversation(
  db: Executor,
  key: ConversationKey,
  patch: {
    title?: string | null
    titleSetByUser?: boolean
    systemPrompt?: string | null
    currentModel?: string
    pinned?: boolean
  },
): Promise<Conversation | undefined> {
  const set = Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as typeof patch
  if (Object.keys(set).length === 0) return findConversation(db, key)
  return db
    .updateTable('conversations')
    .set(set)
    .where('id', '=', key.id)
    .where('userId', '=', key.userId)
    .returningAll()
    .executeTakeFirst()
}

/** Deletes the conversation and its messages; false when it is not the user's. */
export async function deleteConversation(db: Executor, key: ConversationKey): Promise<boolean> {
  const deleted = await db
    .deleteFrom('conversations')
    .where('id', '=', key.id)
    .where('userId', '=', key.userId)
    .returning('id')
    .executeTakeFirst()
  return deleted !== undefined
}

/**
 * One page of the user's conversations, most recent activity first (ties by id). `cursor` is
 * the previous page's `nextCursor` (null for the first page); `nextCursor` is null on the last
 * page. Keyset pagination: stable while conversations are added. A cursor this function did not
 * produce throws `InvalidCursorError`.
 */
export async function listConversations(
  db: Executor,
  q: { userId: string; limit: number; cursor: string | null },
): Promise<{ items: Conversation[]; nextCursor: string | null }> {
  if (!Number.isInteger(q.limit) || q.limit < 1) throw new RangeError('limit must be ≥ 1')
  const cursor = q.cursor === null ? null : decodeConversationCursor(q.cursor)
  const rows = await listConversationsQuery(db, {
    userId: q.userId,
    limit: q.limit,
    cursor,
  }).execute()

  const page = rows.slice(0, q.limit)
  const last = page.at(-1)
  const nextCursor =
    rows.length > q.limit && last
      ? encodeConversationCursor({ activityAt: last.cursorActivityAt, id: last.id })
      : null
  const items = page.map(({ cursorActivityAt: _cursor, ...conversation }) => conversation)
  return { items, nextCursor }
}

/**
 * The query behind {@link listConversations} (one extra row tells whether a next page exists).
 * Exported so tests can EXPLAIN exactly what runs.
 */
export function listConversationsQuery(
  db: Kysely<Database> | Transaction<Database>,
  q: { userId: string; limit: number; cursor: ConversationCursor | null },
) {
  const activityAt = sql.ref('activityAt')
  const query = db
    .selectFrom('conversations')
    .selectAll()
    .select(
      sql<string>`to_char(${activityAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`.as(
        'cursorActivityAt',
      ),
    )
    .where('userId', '=', q.userId)
    .orderBy('activityAt', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
  const { cursor } = q
  if (cursor === null) return query
  // A row comparison matches the index order (activity_at desc, id desc): one range scan.
  return query.where((eb) =>
    eb(
      eb.refTuple('activityAt', 'id'),
      '<',
      eb.tuple(
        sql<Date>`cast(${cursor.activityAt} as timestamp) at time zone 'UTC'`,
        sql<string>`cast(${cursor.id} as uuid)`,
      ),
    ),
  )
}
