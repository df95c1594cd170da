import { sql, type Kysely } from 'kysely'

/**
 * The answer a conversation is generating, on the conversation row itself: starting a turn is
 * then one conditional UPDATE (`where active_message_id is null`) that Postgres re-checks on
 * the newest row version under concurrency, so two sends can never both start an answer.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('active_message_id', 'uuid').execute()
  await sql`update conversations c set active_message_id = m.id
            from messages m
            where m.conversation_id = c.id and m.status in ('pending', 'streaming')`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('active_message_id').execute()
}
