/**
 * The start of every turn that produces an answer (send, regenerate, and any later one).
 *
 *   const turn = await openTurn(deps, user, { model, answerId })  // checks, then a slot
 *   try {
 *     const outcome = await <the turn's repository statement>     // writes the pending answer
 *     ...                                                         // map the other outcomes
 *     await turn.launch(job)                                      // hand it to the runner
 *   } finally {
 *     await turn.close()                                          // frees the slot unless launched
 *   }
 *
 * `openTurn` is the place for checks that must pass before anything is written (a budget,
 * a rate limit): add them there and every turn gets them.
 */
import type { Kysely } from 'kysely'
import type { AuthUser } from '@t3chat/auth'
import { findTurnAccount, withUserBudgetLock, type Database } from '@t3chat/db'
import type { LlmProvider } from '@t3chat/llm'
import type { ApiDeps } from '../../deps'
import { NotConfiguredError, RateLimitError } from '../../errors'
import { assertKnownModel } from '../../services/models'
import { assertWithinBudget, limitsOf } from '../../usage/budget'
import type { AnswerJob } from '../runner'

export interface OpenTurn {
  /**
   * Runs the turn's statement that writes the pending answer. When a budget applies to the
   * user, it runs under their budget lock right after the check, so the check and the start
   * are one step (two sends cannot both pass on the last cent, on any instance).
   */
  write<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>
  /** Hands the written answer to the runner; from then on the runner owns the slot. */
  launch(job: Omit<AnswerJob, 'userId' | 'messageId' | 'keyOwner'>): Promise<void>
  /** Frees the slot if the answer was not launched. */
  close(): Promise<void>
}

/** The configured provider, or the error naming the variable that enables it. */
export function requireProvider(deps: ApiDeps): LlmProvider {
  if (deps.llm === null) {
    throw new NotConfiguredError(
      `No model provider is configured: set ${deps.config.providerKeyVariable} on the server (or your own key with user.setProviderKey) to enable answers.`,
    )
  }
  return deps.llm
}

/**
 * The provider a user's answers and titles go to: their own key when they set one (their
 * usage is then theirs, outside the server's budgets), else the server's.
 */
export async function providerOf(
  deps: ApiDeps,
  userId: string,
): Promise<{
  llm: LlmProvider
  keyOwner: 'server' | 'user'
  account: Awaited<ReturnType<typeof findTurnAccount>>
}> {
  const account = await findTurnAccount(deps.db, userId)
  const sealed = account?.providerKeySecret ?? null
  if (sealed !== null) {
    const key = deps.keys.open(sealed, userId)
    if (key === null) {
      throw new NotConfiguredError(
        'Your provider key can no longer be read on this server (its encryption key changed): set it again with user.setProviderKey, or remove it.',
      )
    }
    return { llm: deps.keys.providerFor(userId, key), keyOwner: 'user', account }
  }
  return { llm: requireProvider(deps), keyOwner: 'server', account }
}

/** Checks that a turn may start, then takes one of the user's concurrent-answer slots. */
export async function openTurn(
  deps: ApiDeps,
  user: AuthUser,
  opts: { model: string | undefined; answerId: string },
): Promise<OpenTurn> {
  const { llm, keyOwner, account } = await providerOf(deps, user.id)
  await assertKnownModel(deps, opts.model)
  const budgets = deps.config.budgets
  const limits = keyOwner === 'server' ? limitsOf(budgets, account) : null
  const limited = limits !== null && (limits.day !== null || limits.month !== null)
  const limit = deps.config.maxConcurrentGenerationsPerUser
  const slot = await deps.limiter.acquire(user.id, opts.answerId, limit)
  if (!slot.ok) {
    throw new RateLimitError(
      `You already have ${slot.active} answers generating; wait for one to finish or stop it (limit ${limit}).`,
    )
  }
  let launched = false
  return {
    write(fn) {
      if (!limited || limits === null) return fn(deps.db)
      return withUserBudgetLock(deps.db, user.id, async (db) => {
        await assertWithinBudget(db, {
          userId: user.id,
          limits,
          reservePerAnswerUsd: budgets.reservePerAnswerUsd,
          now: deps.clock(),
        })
        return fn(db)
      })
    },
    async launch(job) {
      launched = true
      await deps.runner.start({ ...job, userId: user.id, messageId: opts.answerId, keyOwner }, llm)
    },
    async close() {
      if (!launched) await deps.limiter.release(user.id, opts.answerId)
    },
  }
}
