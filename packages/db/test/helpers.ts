import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { createConversation, upsertUser } from '../src/index'
import type { Conversation, Database, User } from '../src/index'

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
