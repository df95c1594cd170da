import { sql, type Kysely } from 'kysely'

// Frozen in time: this file must never import application code or generated types.

/**
 * Public share links. A share is a snapshot of a conversation's path taken at creation (title
 * and the messages' role, content, model and time, as JSON), so later edits never show. Only
 * the SHA-256 of the link's token is stored: reading the table does not give a working link.
 * Shares go with their conversation (and its user).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('shares')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('conversation_id', 'uuid', (c) =>
      c.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text')
    .addColumn('message_count', 'integer', (c) => c.notNull())
    .addColumn('messages', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute()

  // A user's shares, newest first (optionally of one conversation); also the FK's index.
  await db.schema
    .createIndex('shares_user_created_idx')
    .on('shares')
    .columns(['user_id', 'created_at desc', 'id desc'])
    .execute()
  await db.schema
    .createIndex('shares_conversation_idx')
    .on('shares')
    .column('conversation_id')
    .execute()

  // No policies: closes Supabase's public Data API; the table owner (the server) is unaffected.
  await sql`alter table shares enable row level security`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('shares').execute()
}
