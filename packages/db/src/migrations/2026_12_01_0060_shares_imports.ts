import { sql, type Kysely } from 'kysely'

// Frozen in time: this file must never import application code or generated types.

/**
 * Public share links. A share is a snapshot of a conversation's path taken at creation (title
 * and the messages' role, content, model and time, as JSON), so later edits never show. Only
 * the SHA-256 of the link's token is stored: reading the table does not give a working link.
 * Shares go with their conversation (and its user). Also the record of imported conversations.
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

  // Which source conversation each import came from, so importing it again returns the first
  // import. Goes with the conversation: a deleted import can be imported afresh.
  await db.schema
    .createTable('conversation_imports')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'uuid', (c) =>
      c.notNull().unique().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('conversation_imports_pkey', ['user_id', 'format', 'source_id'])
    .execute()

  // No policies: closes Supabase's public Data API; the table owner (the server) is unaffected.
  for (const table of ['shares', 'conversation_imports']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('conversation_imports').execute()
  await db.schema.dropTable('shares').execute()
}
