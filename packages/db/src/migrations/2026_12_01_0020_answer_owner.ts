import { sql, type Kysely } from 'kysely'

/**
 * The instance generating a live answer. With several instances, the reaper ends only the
 * answers whose owner's heartbeat is gone (null: written before owners were recorded, which
 * counts as gone). The partial index finds the owners of live answers without a scan.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('owner_instance', 'text').execute()
  await sql`
    create index messages_live_owner_idx on messages (owner_instance)
    where status in ('pending', 'streaming')`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index messages_live_owner_idx`.execute(db)
  await db.schema.alterTable('messages').dropColumn('owner_instance').execute()
}
