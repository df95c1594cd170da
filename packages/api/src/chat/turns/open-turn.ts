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
import type { AuthUser } from '@t3chat/auth'
import type { LlmProvider } from '@t3chat/llm'
import type { ApiDeps } from '../../deps'
import { NotConfiguredError, RateLimitError } from '../../errors'
import { assertKnownModel } from '../../services/models'
import type { AnswerJob } from '../runner'

export interface OpenTurn {
  /** Hands the written answer to the runner; from then on the runner owns the slot. */
  launch(job: Omit<AnswerJob, 'userId' | 'messageId'>): Promise<void>
  /** Frees the slot if the answer was not launched. */
  close(): Promise<void>
}

/** The configured provider, or the error naming the variable that enables it. */
export function requireProvider(deps: ApiDeps): LlmProvider {
  if (deps.llm === null) {
    throw new NotConfiguredError(
      `No model provider is configured: set ${deps.config.providerKeyVariable} on the server to enable answers.`,
    )
  }
  return deps.llm
}

/** Checks that a turn may start, then takes one of the user's concurrent-answer slots. */
export async function openTurn(
  deps: ApiDeps,
  user: AuthUser,
  opts: { model: string | undefined; answerId: string },
): Promise<OpenTurn> {
  const llm = requireProvider(deps)
  await assertKnownModel(deps, opts.model)
  const limit = deps.config.maxConcurrentGenerationsPerUser
  const slot = await deps.limiter.acquire(user.id, opts.answerId, limit)
  if (!slot.ok) {
    throw new RateLimitError(
      `You already have ${slot.active} answers generating; wait for one to finish or stop it (limit ${limit}).`,
    )
  }
  let launched = false
  return {
    async launch(job) {
      launched = true
      await deps.runner.start({ ...job, userId: user.id, messageId: opts.answerId }, llm)
    },
    async close() {
      if (!launched) await deps.limiter.release(user.id, opts.answerId)
    },
  }
}
