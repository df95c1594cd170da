// The data set behind the list/history numbers: one user owns N conversations of M messages
// on the active path plus M/10 off it (10k × 110 = 1.1M messages in a full run), built with INSERT … SELECT generate_series so
// it takes seconds, then VACUUM ANALYZEd. Run alone: `pnpm --filter @t3chat/bench seed [--quick] [--keep]`.
import { randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { sql, type Kysely } from 'kysely'
import { createDb, migrateToLatest, type Database } from '@t3chat/db'
import { createDatabase, DEFAULT_ADMIN_URL, dropDatabase } from './postgres'

/** The shape of a seeded data set. */
export interface SeedPlan {
  conversations: number
  messagesPerConversation: number
}

/** What was seeded, and how long it took. */
export interface SeedResult extends SeedPlan {
  userId: string
  messages: number
  seconds: number
  tableBytes: { conversations: number; messages: number; messageSearch: number }
}

/**
 * Seeds a migrated database: a user, `conversations` conversations (activity spread over the
 * past, newest first in the list), each with an active path of `messagesPerConversation`
 * completed messages alternating user/assistant, plus a regenerated-away sibling of every
 * tenth message (off the path); then VACUUM ANALYZE (the planner knows the sizes).
 */
export async function seed(db: Kysely<Database>, plan: SeedPlan): Promise<SeedResult> {
  const started = performance.now()
  const userId = randomUUID()
  const m = plan.messagesPerConversation
  const branches = Math.floor(m / 10)
  await sql`set synchronous_commit = off`.execute(db)
  await db.transaction().execute(async (trx) => {
    await sql`insert into users (id, email, display_name) values (${userId}, 'bench@example.test', 'Bench')`.execute(
      trx,
    )
    await sql`
      insert into conversations
        (user_id, title, current_model, message_count, last_seq, preview,
         last_message_at, activity_at, created_at, updated_at)
      select ${userId}, 'Conversation ' || i, 'openai/gpt-4o-mini', ${m}, ${m},
             'What about item ' || i || '?', t, t, t - interval '1 day', t
      from generate_series(1, ${plan.conversations}) as i,
           lateral (select now() - i * interval '37 seconds') as ts(t)`.execute(trx)
    // Ordered by conversation and seq so the (conversation_id, seq) index fills in order. Ids
    // are derived from (conversation, seq) so each message can name its parent: the one before.
    await sql`
      insert into messages
        (id, parent_id, conversation_id, seq, role, content, model, status, prompt_tokens,
         completion_tokens, cost, created_at, completed_at)
      select md5(c.id::text || ':' || s)::uuid,
             case when s > 1 then md5(c.id::text || ':' || (s - 1))::uuid end,
             c.id, s,
             case when s % 2 = 1 then 'user' else 'assistant' end,
             case when s % 2 = 1
                  then 'Question ' || s || ' about ' || left(md5(c.id::text || s), 16) || '?'
                  else repeat('Lorem ipsum dolor sit amet, consectetur adipiscing elit. ', 4) || s
             end,
             case when s % 2 = 0 then 'openai/gpt-4o-mini' end,
             'completed',
             case when s % 2 = 0 then 40 end,
             case when s % 2 = 0 then 60 end,
             case when s % 2 = 0 then 0.00008 end,
             c.created_at + s * interval '1 second',
             c.created_at + s * interval '1 second'
      from conversations c cross join generate_series(1, ${m}) as s
      where c.user_id = ${userId}
      order by c.id, s`.execute(trx)
    // Branches: every tenth message is an answer with a regenerated-away sibling, off the
    // active path (seqs after the path's, as a regenerate would have numbered them).
    await sql`
      insert into messages
        (id, parent_id, conversation_id, seq, role, content, model, status, hidden,
         created_at, completed_at)
      select md5(c.id::text || ':b' || j)::uuid,
             md5(c.id::text || ':' || (10 * j - 1))::uuid,
             c.id, ${m} + j, 'assistant',
             repeat('Another answer, regenerated away. ', 4) || j,
             'openai/gpt-4o-mini', 'completed', true,
             c.created_at + (${m} + j) * interval '1 second',
             c.created_at + (${m} + j) * interval '1 second'
      from conversations c cross join generate_series(1, ${branches}) as j
      where c.user_id = ${userId}
      order by c.id, j`.execute(trx)
    await sql`
      update conversations c set leaf_message_id = md5(c.id::text || ':' || ${m})::uuid,
             last_seq = ${m + branches}
      where c.user_id = ${userId}`.execute(trx)
  })
  // As autovacuum leaves a table after a bulk insert: statistics, visibility map, and the GIN
  // indexes' pending lists merged (otherwise whether autovacuum got to them before a scenario
  // decides a few ms of every search).
  await sql`vacuum analyze users, conversations, messages, message_search`.execute(db)
  const sizes = await sql<{ conversations: number; messages: number; messageSearch: number }>`
    select pg_total_relation_size('conversations')::float8 as conversations,
           pg_total_relation_size('messages')::float8 as messages,
           pg_total_relation_size('message_search')::float8 as message_search`.execute(db)
  return {
    ...plan,
    userId,
    messages: plan.conversations * (m + branches),
    seconds: (performance.now() - started) / 1000,
    tableBytes: sizes.rows[0] ?? {
      conversations: Number.NaN,
      messages: Number.NaN,
      messageSearch: Number.NaN,
    },
  }
}

/** The full and quick data sets. */
export const SEED_PLANS = {
  full: { conversations: 10_000, messagesPerConversation: 100 },
  quick: { conversations: 1_000, messagesPerConversation: 20 },
} as const satisfies Record<string, SeedPlan>

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2))
  const adminUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL
  const name = `t3chat_bench_${process.pid}_seed`
  const url = await createDatabase(adminUrl, name)
  const db = await createDb({ connectionString: url })
  try {
    await migrateToLatest(db)
    const result = await seed(db, args.has('--quick') ? SEED_PLANS.quick : SEED_PLANS.full)
    console.log(JSON.stringify(result, null, 2))
    if (args.has('--keep')) console.log(`kept: ${url}`)
  } finally {
    await db.destroy()
    if (!args.has('--keep')) await dropDatabase(adminUrl, name)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
