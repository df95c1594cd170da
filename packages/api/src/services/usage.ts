import type { AuthUser } from '@t3chat/auth'
import { findTurnAccount, usageRows } from '@t3chat/db'
import type { ApiDeps } from '../deps'
import { InvalidInputError } from '../errors'
import type { UsageSummary } from '../shapes'
import { budgetOf, limitsOf, periods } from '../usage/budget'
import { utcDay } from '../usage/cost'

/** The longest range one summary covers. */
export const MAX_SUMMARY_DAYS = 400

/**
 * The user's usage from `from` to `to` (default: this UTC month so far) by UTC day or by model,
 * with totals and the budget closest to being reached. Reads the daily aggregate only.
 */
export async function usageSummary(
  deps: ApiDeps,
  user: AuthUser,
  input: {
    from?: string | undefined
    to?: string | undefined
    groupBy?: 'day' | 'model' | undefined
  },
): Promise<UsageSummary> {
  const now = deps.clock()
  const from = input.from === undefined ? periods(now).monthStart : utcDay(new Date(input.from))
  const to = utcDay(input.to === undefined ? now : new Date(input.to))
  if (from > to) throw new InvalidInputError('from: must not be after `to`.')
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1
  if (days > MAX_SUMMARY_DAYS)
    throw new InvalidInputError(`to: a summary covers at most ${MAX_SUMMARY_DAYS} days.`)
  const [rows, account] = await Promise.all([
    usageRows(deps.db, { userId: user.id, from, to, groupBy: input.groupBy ?? 'day' }),
    findTurnAccount(deps.db, user.id),
  ])
  const budget = await budgetOf(deps.db, {
    userId: user.id,
    limits: limitsOf(deps.config.budgets, account),
    now,
  })
  const total = { cost: 0, promptTokens: 0, completionTokens: 0, answers: 0 }
  for (const r of rows) {
    total.cost += r.cost
    total.promptTokens += r.promptTokens
    total.completionTokens += r.completionTokens
    total.answers += r.answers
  }
  return { ...total, rows, budget }
}
