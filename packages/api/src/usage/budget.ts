import type { Kysely } from 'kysely'
import { serverSpending, type Database, type TurnAccount } from '@t3chat/db'
import { PaymentRequiredError } from '../errors'
import type { Budget } from '../shapes'
import { utcDay } from './cost'

/** Server-wide default limits per user (USD; null: none). */
export interface BudgetConfig {
  dayUsd: number | null
  monthUsd: number | null
  /**
   * What each answer still generating counts for until its cost is known (USD), so that
   * concurrent sends cannot all slip under the limit's last cent.
   */
  reservePerAnswerUsd: number
}

export type Period = 'day' | 'month'

/** A user's limits: the operator's override, else the server's default. */
export function limitsOf(config: BudgetConfig, account: TurnAccount | undefined) {
  return {
    day: account?.budgetDayUsd ?? config.dayUsd,
    month: account?.budgetMonthUsd ?? config.monthUsd,
  }
}

/** Where the current periods start (`YYYY-MM-DD`, UTC) and when they reset. */
export function periods(now: Date) {
  const y = now.getUTCFullYear()
  const m = now.getUTCMonth()
  const d = now.getUTCDate()
  return {
    dayStart: utcDay(now),
    monthStart: utcDay(new Date(Date.UTC(y, m, 1))),
    resets: { day: new Date(Date.UTC(y, m, d + 1)), month: new Date(Date.UTC(y, m + 1, 1)) },
  }
}

const usd = (n: number): string => `$${n.toFixed(n < 1 ? 4 : 2)}`

/**
 * The budget to show: the period with the least left (spent over limit first); null when the
 * user has no limit.
 */
export async function budgetOf(
  db: Kysely<Database>,
  q: { userId: string; limits: Record<Period, number | null>; now: Date },
): Promise<Budget | null> {
  if (q.limits.day === null && q.limits.month === null) return null
  const p = periods(q.now)
  const spent = await serverSpending(db, { userId: q.userId, ...p })
  let shown: Budget | null = null
  for (const period of ['day', 'month'] as const) {
    const limit = q.limits[period]
    if (limit === null) continue
    const budget: Budget = {
      period,
      limitUsd: limit,
      spentUsd: spent[period],
      resetsAt: p.resets[period].toISOString(),
    }
    if (shown === null || limit - spent[period] < shown.limitUsd - shown.spentUsd) shown = budget
  }
  return shown
}

/**
 * Throws PAYMENT_REQUIRED unless the user's server-paid spending (plus a reserve per answer
 * still generating) is below every limit. Run under the user's budget lock, with the turn's
 * start, so the check and the start are one step for every instance sharing the database.
 */
export async function assertWithinBudget(
  db: Kysely<Database>,
  q: {
    userId: string
    limits: Record<Period, number | null>
    reservePerAnswerUsd: number
    now: Date
  },
): Promise<void> {
  const p = periods(q.now)
  const spent = await serverSpending(db, { userId: q.userId, ...p })
  const reserve = spent.live * q.reservePerAnswerUsd
  for (const period of ['day', 'month'] as const) {
    const limit = q.limits[period]
    if (limit === null || spent[period] + reserve < limit) continue
    const name = period === 'day' ? 'daily' : 'monthly'
    throw new PaymentRequiredError(
      `You have reached your ${name} budget of ${usd(limit)} (spent ${usd(spent[period])}` +
        `${spent.live > 0 ? `, with ${spent.live} answer(s) still generating` : ''}); it resets at ` +
        `${p.resets[period].toISOString()} (UTC). Use your own provider key (user.setProviderKey) to continue now.`,
    )
  }
}
