import { sql, type Kysely } from 'kysely'
import type { Database, Executor, User } from '../database'

/**
 * Usage and budgets: reads of the per-day aggregate (`usage_daily`, written with each answer's
 * end by `finishAnswer`), the per-user lock that makes a budget check and a turn's start one
 * step, and the user's provider key and budget overrides.
 */

/** What a turn needs to know about its user before it starts. */
export interface TurnAccount {
  /** The user's provider key, encrypted; null: the server's key. */
  providerKeySecret: string | null
  /** The operator's overrides (USD), null: the server's default. */
  budgetDayUsd: number | null
  budgetMonthUsd: number | null
}

/** The user's key and budget overrides (undefined: no such user). */
export async function findTurnAccount(
  db: Executor,
  userId: string,
): Promise<TurnAccount | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['providerKeySecret', 'budgetDayUsd', 'budgetMonthUsd'])
    .where('id', '=', userId)
    .executeTakeFirst()
  if (row === undefined) return undefined
  return {
    providerKeySecret: row.providerKeySecret,
    budgetDayUsd: row.budgetDayUsd === null ? null : Number(row.budgetDayUsd),
    budgetMonthUsd: row.budgetMonthUsd === null ? null : Number(row.budgetMonthUsd),
  }
}

/** What the server's key spent for a user since each date (`YYYY-MM-DD`, UTC), and answers live now. */
export async function serverSpending(
  db: Executor,
  q: { userId: string; dayStart: string; monthStart: string },
): Promise<{ day: number; month: number; live: number }> {
  const result = await sql<{ day: string | null; month: string | null; live: string }>`
    select
      (select sum(cost_usd) from usage_daily
       where user_id = ${q.userId} and key_owner = 'server' and day >= ${q.dayStart}::date) as day,
      (select sum(cost_usd) from usage_daily
       where user_id = ${q.userId} and key_owner = 'server' and day >= ${q.monthStart}::date) as month,
      (select count(*) from conversations
       where user_id = ${q.userId} and active_message_id is not null) as live`.execute(db)
  const row = result.rows[0]
  return {
    day: Number(row?.day ?? 0),
    month: Number(row?.month ?? 0),
    live: Number(row?.live ?? 0),
  }
}

/**
 * Runs `fn` holding the user's budget lock (a Postgres advisory lock on one connection), so
 * two turns of one user — on any instance sharing the database — check and start one after
 * the other. The lock goes with the connection if it dies.
 */
export async function withUserBudgetLock<T>(
  db: Kysely<Database>,
  userId: string,
  fn: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (conn) => {
    const key = `t3chat.budget:${userId}`
    await sql`select pg_advisory_lock(hashtextextended(${key}, 0))`.execute(conn)
    try {
      return await fn(conn)
    } finally {
      await sql`select pg_advisory_unlock(hashtextextended(${key}, 0))`.execute(conn)
    }
  })
}

/** One row of a usage summary. */
export interface UsageRow {
  key: string
  promptTokens: number
  completionTokens: number
  cost: number
  answers: number
}

/**
 * A user's usage from `from` to `to` (dates, UTC, both included), by day (`YYYY-MM-DD`) or by
 * model, from the daily aggregate: a month is at most a few rows per day.
 */
export async function usageRows(
  db: Executor,
  q: { userId: string; from: string; to: string; groupBy: 'day' | 'model' },
): Promise<UsageRow[]> {
  const key = q.groupBy === 'day' ? sql`to_char(day, 'YYYY-MM-DD')` : sql`model`
  const result = await sql<{
    key: string
    promptTokens: string
    completionTokens: string
    cost: string
    answers: string
  }>`
    select ${key} as key, sum(prompt_tokens) as prompt_tokens,
           sum(completion_tokens) as completion_tokens, sum(cost_usd) as cost,
           sum(answers) as answers
    from usage_daily
    where user_id = ${q.userId} and day >= ${q.from}::date and day <= ${q.to}::date
    group by 1 order by 1`.execute(db)
  return result.rows.map((r) => ({
    key: r.key,
    promptTokens: Number(r.promptTokens),
    completionTokens: Number(r.completionTokens),
    cost: Number(r.cost),
    answers: Number(r.answers),
  }))
}

/** Stores (or with null removes) the user's encrypted provider key; undefined if no such user. */
export async function setProviderKey(
  db: Executor,
  userId: string,
  key: { secret: string; last4: string } | null,
): Promise<User | undefined> {
  return db
    .updateTable('users')
    .set(
      key === null
        ? { providerKeySecret: null, providerKeyLast4: null, providerKeyAddedAt: null }
        : {
            providerKeySecret: key.secret,
            providerKeyLast4: key.last4,
            providerKeyAddedAt: sql`now()`,
          },
    )
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirst()
}

/**
 * Sets (or with null removes) a user's budget override for a period; the user is found by id
 * or email. Returns the user's id, or undefined when there is no such user.
 */
export async function setBudgetOverride(
  db: Executor,
  q: { user: string; period: 'day' | 'month'; usd: number | null },
): Promise<string | undefined> {
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(q.user)
  const row = await db
    .updateTable('users')
    .set(q.period === 'day' ? { budgetDayUsd: q.usd } : { budgetMonthUsd: q.usd })
    .where(isId ? 'id' : 'email', '=', q.user)
    .returning('id')
    .executeTakeFirst()
  return row?.id
}

/** An answer whose cost is still to be asked of the provider. */
export interface ReconcileJob {
  messageId: string
  generationId: string
  userId: string
  keyOwner: string
  attempts: number
}

/**
 * Jobs due at `now`, oldest first (at most `limit`), and when the next one falls due: `now`
 * when more are due than were returned, null when no job waits. One statement.
 */
export async function dueReconciliations(
  db: Executor,
  q: { now: Date; limit: number },
): Promise<{ jobs: ReconcileJob[]; nextAt: Date | null }> {
  const rows = await db
    .selectFrom('usageReconciliations')
    .select(['messageId', 'generationId', 'userId', 'keyOwner', 'attempts', 'nextAt'])
    .orderBy('nextAt')
    .limit(q.limit + 1)
    .execute()
  const jobs: ReconcileJob[] = []
  let nextAt: Date | null = null
  for (const { nextAt: at, ...job } of rows) {
    if (at > q.now) {
      nextAt = at
      break
    }
    if (jobs.length === q.limit) {
      nextAt = q.now
      break
    }
    jobs.push(job)
  }
  return { jobs, nextAt }
}

/** Tries a job again at `nextAt`, or drops it (`nextAt` null: the estimate stands). */
export async function postponeReconciliation(
  db: Executor,
  q: { messageId: string; nextAt: Date | null },
): Promise<void> {
  if (q.nextAt === null) {
    await db.deleteFrom('usageReconciliations').where('messageId', '=', q.messageId).execute()
    return
  }
  await db
    .updateTable('usageReconciliations')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), nextAt: q.nextAt ?? new Date() }))
    .where('messageId', '=', q.messageId)
    .execute()
}

/**
 * The provider's cost for an answer: the message gets it (`cost_source` provider), the day's
 * aggregate moves by the difference from what was counted, and the job goes — one statement.
 * Returns false when the job was already settled.
 */
export async function settleReconciliation(
  db: Executor,
  q: { messageId: string; cost: number; promptTokens: number; completionTokens: number },
): Promise<boolean> {
  const result = await sql<{ messageId: string }>`
    with job as (
      delete from usage_reconciliations where message_id = ${q.messageId}
      returning *
    ),
    before as (
      select m.id, coalesce(m.cost, 0) as cost, coalesce(m.prompt_tokens, 0) as pt,
             coalesce(m.completion_tokens, 0) as ct,
             (m.cost is not null or m.prompt_tokens is not null) as counted
      from messages m join job on job.message_id = m.id
    ),
    msg as (
      update messages set cost = ${q.cost}, cost_source = 'provider',
        prompt_tokens = ${q.promptTokens}, completion_tokens = ${q.completionTokens}
      from before where messages.id = before.id
      returning messages.id
    ),
    agg as (
      insert into usage_daily
        (user_id, day, model, key_owner, prompt_tokens, completion_tokens, cost_usd, answers)
      select job.user_id, job.day, job.model, job.key_owner, ${q.promptTokens} - before.pt,
             ${q.completionTokens} - before.ct, ${q.cost} - before.cost,
             case when before.counted then 0 else 1 end
      from job, before
      on conflict (user_id, day, model, key_owner) do update set
        prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens,
        cost_usd = usage_daily.cost_usd + excluded.cost_usd,
        answers = usage_daily.answers + excluded.answers
    )
    select message_id from job`.execute(db)
  return result.rows.length > 0
}

/**
 * Adds a cost that belongs to no answer (a conversation title) to the user's day.
 */
export async function addUsage(
  db: Executor,
  u: {
    userId: string
    day: string
    model: string
    keyOwner: 'server' | 'user'
    promptTokens: number
    completionTokens: number
    cost: number
  },
): Promise<void> {
  await sql`
    insert into usage_daily
      (user_id, day, model, key_owner, prompt_tokens, completion_tokens, cost_usd, answers)
    values (${u.userId}, ${u.day}::date, ${u.model}, ${u.keyOwner}, ${u.promptTokens},
            ${u.completionTokens}, ${u.cost}, 0)
    on conflict (user_id, day, model, key_owner) do update set
      prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens,
      completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens,
      cost_usd = usage_daily.cost_usd + excluded.cost_usd`.execute(db)
}
