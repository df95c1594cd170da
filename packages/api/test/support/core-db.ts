import { sql, type Kysely } from 'kysely'
import type { Database } from '@t3chat/db'

/** Every row of the tables, in a stable order: compare before/after a rejected call. */
export async function snapshotAll(db: Kysely<Database>) {
  const [users, conversations, messages, shares, imports] = await Promise.all([
    db.selectFrom('users').selectAll().orderBy('id').execute(),
    db.selectFrom('conversations').selectAll().orderBy('id').execute(),
    db.selectFrom('messages').selectAll().orderBy('id').execute(),
    db.selectFrom('shares').selectAll().orderBy('id').execute(),
    db.selectFrom('conversationImports').selectAll().orderBy('conversationId').execute(),
  ])
  return { users, conversations, messages, shares, imports }
}

/** One user's rows: the user, their conversations and those conversations' messages. */
export async function snapshotUser(db: Kysely<Database>, userId: string) {
  const [user, conversations, messages] = await Promise.all([
    db.selectFrom('users').selectAll().where('id', '=', userId).execute(),
    db.selectFrom('conversations').selectAll().where('userId', '=', userId).orderBy('id').execute(),
    db
      .selectFrom('messages')
      .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
      .selectAll('messages')
      .where('conversations.userId', '=', userId)
      .orderBy('messages.id')
      .execute(),
  ])
  return { user, conversations, messages }
}

/** How many rows `table` holds. */
export async function countRows(
  db: Kysely<Database>,
  table: 'users' | 'conversations' | 'messages' | 'shares',
): Promise<number> {
  const { rows } = await sql<{
    n: number
  }>`select count(*)::int as n from ${sql.table(table)}`.execute(db)
  return rows[0]?.n ?? -1
}
