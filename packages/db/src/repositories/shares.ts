import { sql } from 'kysely'
import type { Executor, Share } from '../database'

/** One message of a share's snapshot: exactly what the public link shows. */
export interface SharedMessage {
  role: 'user' | 'assistant'
  content: string
  model: string | null
  createdAt: string
}

/** A share without its snapshot (what its owner lists). */
export type ShareSummary = Omit<Share, 'messages' | 'tokenHash'>

const summaryColumns = [
  'id',
  'userId',
  'conversationId',
  'title',
  'messageCount',
  'createdAt',
  'revokedAt',
] as const

/** Stores a share of the user's conversation with its snapshot; only the token's hash is kept. */
export async function insertShare(
  db: Executor,
  s: {
    userId: string
    conversationId: string
    tokenHash: string
    title: string | null
    messages: SharedMessage[]
  },
): Promise<ShareSummary> {
  return db
    .insertInto('shares')
    .values({
      userId: s.userId,
      conversationId: s.conversationId,
      tokenHash: s.tokenHash,
      title: s.title,
      messageCount: s.messages.length,
      // pg would send a JS array as a Postgres array: hand it over as JSON text.
      messages: sql`${JSON.stringify(s.messages)}::jsonb`,
    })
    .returning(summaryColumns)
    .executeTakeFirstOrThrow()
}

/** The user's shares (of one conversation, when given), newest first. */
export async function listShares(
  db: Executor,
  q: { userId: string; conversationId: string | null },
): Promise<ShareSummary[]> {
  let query = db
    .selectFrom('shares')
    .select(summaryColumns)
    .where('userId', '=', q.userId)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
  if (q.conversationId !== null) query = query.where('conversationId', '=', q.conversationId)
  return query.execute()
}

/**
 * Revokes the user's share (a second revoke keeps the first time). Undefined when it is not
 * the user's.
 */
export async function revokeShare(
  db: Executor,
  key: { userId: string; id: string },
): Promise<ShareSummary | undefined> {
  return db
    .updateTable('shares')
    .set({ revokedAt: sql<Date>`coalesce(revoked_at, now())` })
    .where('id', '=', key.id)
    .where('userId', '=', key.userId)
    .returning(summaryColumns)
    .executeTakeFirst()
}

/**
 * The snapshot behind a live link: one unique-index lookup by the token's hash. A revoked
 * share, an unknown token and a deleted conversation (its shares went with it) all come back
 * undefined from the same query.
 */
export async function findSharedSnapshot(
  db: Executor,
  tokenHash: string,
): Promise<{ title: string | null; createdAt: Date; messages: SharedMessage[] } | undefined> {
  const row = await db
    .selectFrom('shares')
    .select(['title', 'createdAt', 'messages'])
    .where('tokenHash', '=', tokenHash)
    .where('revokedAt', 'is', null)
    .executeTakeFirst()
  if (row === undefined) return undefined
  return {
    title: row.title,
    createdAt: row.createdAt,
    messages: row.messages as unknown as SharedMessage[],
  }
}
