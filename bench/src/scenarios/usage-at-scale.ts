import { sql, type Kysely } from 'kysely'
import { serverSpending, usageRows, type Database } from '@t3chat/db'
import { summarize, type Summary } from '../stats'

/** `usage.summary`'s database work on a seeded aggregate. */
export interface UsageAtScaleResult {
  /** Rows of `usage_daily` in the table, and the heavy user's. */
  rows: { table: number; user: number }
  /** One summary: by day or by model over a month, plus the budget's spending (2 statements). */
  summary: Summary
}

const DAYS = 31
const MODELS = 8
const OTHER_USERS = 2_000

/**
 * Fills `usage_daily` the way a month of traffic would: the heavy user's answers (as many as
 * the seeded messages, spread over 31 days and 8 models) and 2,000 other users with a month of
 * 2 models each, so the index has neighbours. The aggregate is what `finishAnswer` writes; its
 * size depends on days × models, not on the number of messages.
 */
async function seedUsage(db: Kysely<Database>, userId: string, answers: number): Promise<void> {
  const perRow = Math.max(1, Math.floor(answers / (DAYS * MODELS)))
  await sql`
    insert into usage_daily
      (user_id, day, model, key_owner, prompt_tokens, completion_tokens, cost_usd, answers)
    select ${userId}::uuid, current_date - d, 'vendor/model-' || k, 'server',
           ${perRow} * 900, ${perRow} * 300, ${perRow} * 0.0004, ${perRow}
    from generate_series(0, ${DAYS - 1}) d, generate_series(1, ${MODELS}) k
    on conflict do nothing`.execute(db)
  await sql`
    with others as (
      insert into users (id) select gen_random_uuid() from generate_series(1, ${OTHER_USERS})
      returning id
    )
    insert into usage_daily
      (user_id, day, model, key_owner, prompt_tokens, completion_tokens, cost_usd, answers)
    select o.id, current_date - d, 'vendor/model-' || k, 'server', 9000, 3000, 0.004, 10
    from others o, generate_series(0, ${DAYS - 1}) d, generate_series(1, 2) k`.execute(db)
  await sql`analyze usage_daily`.execute(db)
}

/** Seeds the aggregate, then times `usage.summary`'s statements for the heavy user. */
export async function measureUsageDatabase(
  db: Kysely<Database>,
  userId: string,
  answers: number,
  calls: number,
): Promise<UsageAtScaleResult> {
  await seedUsage(db, userId, answers)
  const day = (offset: number) =>
    new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10)
  const from = day(DAYS - 1)
  const to = day(0)
  const now = new Date()
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
  const once = (i: number) =>
    Promise.all([
      usageRows(db, { userId, from, to, groupBy: i % 2 === 0 ? 'day' : 'model' }),
      serverSpending(db, {
        userId,
        dayStart: to,
        monthStart: monthStart.toISOString().slice(0, 10),
      }),
    ])
  for (let i = 0; i < 20; i++) await once(i)
  const times: number[] = []
  for (let i = 0; i < calls; i++) {
    const started = performance.now()
    await once(i)
    times.push(performance.now() - started)
  }
  const counts = await sql<{ table: string; user: string }>`
    select (select count(*) from usage_daily) as table,
           (select count(*) from usage_daily where user_id = ${userId}) as user`.execute(db)
  return {
    rows: { table: Number(counts.rows[0]?.table ?? 0), user: Number(counts.rows[0]?.user ?? 0) },
    summary: summarize(times),
  }
}
