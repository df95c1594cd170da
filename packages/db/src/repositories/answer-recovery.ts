import { sql } from 'kysely'
import type { Executor, Message } from '../database'

/** Live answers left behind by an instance that is gone: who owns them, and ending them. */

/** The instances that own live answers (null: an answer written before owners were recorded). */
export async function liveAnswerOwners(db: Executor): Promise<(string | null)[]> {
  const rows = await db
    .selectFrom('messages')
    .select('ownerInstance')
    .distinct()
    .where('status', 'in', ['pending', 'streaming'])
    .execute()
  return rows.map((r) => r.ownerInstance)
}

/**
 * Crash recovery: answers left `pending`/`streaming` end as `error` with this code, keeping
 * their last checkpointed text, and their conversations are freed — one statement. Those whose
 * stream had started (a generation id was checkpointed) get a cost reconciliation job. With
 * `owners`, only the answers of those instances (null in the list: answers without an owner);
 * without, every live answer (one process: whatever is live was left by a crash).
 */
export async function interruptLiveAnswers(
  db: Executor,
  e: { errorCode: string; errorMessage: string; owners?: (string | null)[] },
): Promise<(Message & { userId: string })[]> {
  const owned = e.owners?.filter((o): o is string => o !== null) ?? []
  const which =
    e.owners === undefined
      ? sql`true`
      : sql`(owner_instance = any(${owned}::text[])
             or (${e.owners.includes(null)} and owner_instance is null))`
  const result = await sql<Message & { userId: string }>`
    with failed as (
      update messages set status = 'error', error_code = ${e.errorCode},
        error_message = ${e.errorMessage}, completed_at = now()
      where status in ('pending', 'streaming') and ${which}
      returning *
    ),
    freed as (
      update conversations set active_message_id = null
      where active_message_id in (select id from failed)
    ),
    -- An answer whose stream had started may have been billed: ask the provider later.
    queued as (
      insert into usage_reconciliations (message_id, generation_id, user_id, day, model, key_owner)
      select f.id, f.generation_id, c.user_id, (now() at time zone 'utc')::date,
             coalesce(f.model, ''), coalesce(f.key_owner, 'server')
      from failed f join conversations c on c.id = f.conversation_id
      where f.generation_id is not null
      on conflict (message_id) do nothing
    )
    select failed.*, c.user_id from failed join conversations c on c.id = failed.conversation_id`.execute(
    db,
  )
  return result.rows
}
