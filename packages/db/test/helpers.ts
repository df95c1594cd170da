import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import { createConversation, upsertUser } from '../src/index'
import type {
  Conversation,
  Database,
  Message,
  MessageRole,
  MessageStatus,
  User,
} from '../src/index'

/** Which backend this run uses: real Postgres when DATABASE_URL is set, else PGlite. */
export const databaseUrl = process.env.DATABASE_URL || undefined

export async function seedUser(db: Kysely<Database>, email: string | null = null): Promise<User> {
  return upsertUser(db, { id: randomUUID(), email })
}

export async function seedConversation(
  db: Kysely<Database>,
  userId: string,
  fields: { title?: string | null } = {},
): Promise<Conversation> {
  return createConversation(db, { userId, currentModel: 'openai/gpt-4o-mini', ...fields })
}

/** A message to append in a fixture; its `seq` is assigned by {@link appendMessages}. */
export interface MessageDraft {
  role: MessageRole
  content: string
  model?: string | null
  status: MessageStatus
  clientMessageId?: string | null
}

/**
 * Appends messages to the user's conversation with the next gap-free seqs, and bumps the
 * conversation (counts, last message time, activity, preview when given). Undefined when the
 * conversation is not the user's. Concurrent appends to one conversation serialise on its row.
 * A fixture writer: the app writes messages only through its turn statements (chat-turns.ts).
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
    .returning('lastSeq')
    .executeTakeFirst()
  if (!conversation) return undefined
  if (n === 0) return []

  const firstSeq = conversation.lastSeq - n + 1
  const inserted = await trx
    .insertInto('messages')
    .values(
      a.messages.map((m, i) => ({
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
  return inserted.sort((x, y) => x.seq - y.seq)
}
