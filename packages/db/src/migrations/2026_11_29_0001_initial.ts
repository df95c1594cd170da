import { sql } from 'kysely'
import type { Kysely } from 'kysely'

// Frozen in time: this file must never import application code or generated types.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function set_updated_at() returns trigger language plpgsql as $$
    begin
      new.updated_at = now();
      return new;
    end
    $$`.execute(db)

  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('email', 'text')
    .addColumn('display_name', 'text')
    .addColumn('default_model', 'text')
    .addColumn('preferences', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('title', 'text')
    .addColumn('title_set_by_user', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('system_prompt', 'text')
    .addColumn('current_model', 'text', (c) => c.notNull())
    .addColumn('pinned', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('preview', 'text')
    .addColumn('last_message_at', 'timestamptz')
    .addColumn('activity_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('conversations_message_count_check', sql`message_count >= 0`)
    .addCheckConstraint('conversations_last_seq_check', sql`last_seq >= message_count`)
    .execute()

  // Serves the conversation list: a user's conversations by last activity, keyset-paginated.
  await db.schema
    .createIndex('conversations_user_activity_idx')
    .on('conversations')
    .columns(['user_id', 'activity_at desc', 'id desc'])
    .execute()

  await db.schema
    .createTable('messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('conversation_id', 'uuid', (c) =>
      c.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('model', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('prompt_tokens', 'integer')
    .addColumn('completion_tokens', 'integer')
    .addColumn('cost', 'double precision')
    .addColumn('hidden', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('client_message_id', 'uuid', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    // Also the index of the message pages (conversation_id, seq desc).
    .addUniqueConstraint('messages_conversation_id_seq_key', ['conversation_id', 'seq'])
    .addCheckConstraint('messages_seq_check', sql`seq > 0`)
    .addCheckConstraint('messages_role_check', sql`role in ('user', 'assistant')`)
    .addCheckConstraint(
      'messages_status_check',
      sql`status in ('pending', 'streaming', 'completed', 'error', 'cancelled')`,
    )
    .addCheckConstraint(
      'messages_error_code_check',
      sql`(status = 'error') = (error_code is not null)`,
    )
    .execute()

  // Finds the live answer of a conversation, and every live answer at crash recovery.
  await sql`
    create index messages_live_idx on messages (conversation_id)
    where status in ('pending', 'streaming')`.execute(db)

  for (const table of ['users', 'conversations']) {
    // The WHEN clause keeps updated_at still on no-op updates (e.g. an upsert that changed nothing).
    await sql`
      create trigger ${sql.id(`${table}_set_updated_at`)}
      before update on ${sql.table(table)}
      for each row when (old.* is distinct from new.*)
      execute function set_updated_at()`.execute(db)
  }

  // No policies: closes Supabase's public Data API; the table owner (the server) is unaffected.
  for (const table of ['users', 'conversations', 'messages']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('messages').execute()
  await db.schema.dropTable('conversations').execute()
  await db.schema.dropTable('users').execute()
  await sql`drop function set_updated_at()`.execute(db)
}
