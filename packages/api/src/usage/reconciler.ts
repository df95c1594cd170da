import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import {
  dueReconciliations,
  findTurnAccount,
  postponeReconciliation,
  settleReconciliation,
  type Database,
  type ReconcileJob,
} from '@t3chat/db'
import type { ApiConfig } from '../config'
import type { ProviderKeys } from './provider-keys'

/**
 * Answers stopped, interrupted or failed after the provider started billing have no cost in
 * their stream: their end queues a job (`usage_reconciliations`, in the same statement), and
 * this loop asks the provider's generation endpoint for the real cost, with backoff (the
 * endpoint answers 404 for a few seconds after a generation ends). Jobs live in the database,
 * so they survive restarts; several instances may run the loop — settling a job deletes it in
 * the statement that applies the cost, so a cost is applied once.
 *
 * The loop sleeps until the next job falls due, or until this instance queues one (`wake`);
 * with nothing queued it looks only every `intervalMs` (jobs another instance queued before it
 * died), so an idle server does not ask its database every few seconds.
 */
export interface Reconciler {
  /** One pass over the jobs due now; resolves with how many costs were settled. */
  runOnce(): Promise<number>
  /** A job was queued here: look soon. */
  wake(): void
  stop(): void
}

export interface ReconcilerDeps {
  db: Kysely<Database>
  keys: ProviderKeys
  logger: Logger
  clock: () => Date
  config: ApiConfig['reconcile']
}

const BATCH = 50

export function startReconciler(deps: ReconcilerDeps, opts: { auto: boolean }): Reconciler {
  let running: Promise<number> | null = null
  const log = deps.logger.child({ job: 'usage-reconcile' })

  async function settle(job: ReconcileJob): Promise<boolean> {
    let key: string | null = null
    if (job.keyOwner === 'user') {
      const sealed = (await findTurnAccount(deps.db, job.userId))?.providerKeySecret ?? null
      key = sealed === null ? null : deps.keys.open(sealed, job.userId)
      if (key === null) {
        // The user removed their key: nobody can ask about the generation any more.
        await postponeReconciliation(deps.db, { messageId: job.messageId, nextAt: null })
        return false
      }
    }
    const cost = await deps.keys.generationCost(key, job.generationId)
    if (cost !== null) return settleReconciliation(deps.db, { messageId: job.messageId, ...cost })
    const attempts = job.attempts + 1
    const delay = Math.min(deps.config.retryBaseMs * 2 ** job.attempts, deps.config.maxDelayMs)
    await postponeReconciliation(deps.db, {
      messageId: job.messageId,
      nextAt: attempts >= deps.config.maxAttempts ? null : new Date(deps.clock().getTime() + delay),
    })
    if (attempts >= deps.config.maxAttempts)
      log.warn({ messageId: job.messageId }, 'provider cost never arrived; the estimate stands')
    return false
  }

  /** When the jobs left after the last pass fall due (null: none waits). */
  let nextAt: Date | null = null

  async function pass(): Promise<number> {
    const due = await dueReconciliations(deps.db, { now: deps.clock(), limit: BATCH })
    nextAt = due.nextAt
    let settled = 0
    for (const job of due.jobs) {
      try {
        if (await settle(job)) settled++
      } catch (error) {
        log.warn({ err: error, messageId: job.messageId }, 'cost reconciliation failed')
      }
    }
    // A job tried again falls due no sooner than `retryBaseMs` from now: look then.
    if (settled < due.jobs.length) {
      const retry = new Date(deps.clock().getTime() + deps.config.retryBaseMs)
      if (nextAt === null || retry < nextAt) nextAt = retry
    }
    if (settled > 0) log.info({ settled }, 'provider costs reconciled')
    return settled
  }

  function runOnce(): Promise<number> {
    running ??= pass().finally(() => {
      running = null
    })
    return running
  }

  let timer: NodeJS.Timeout | null = null
  let stopped = !opts.auto
  function schedule(delayMs: number): void {
    if (stopped) return
    if (timer !== null) clearTimeout(timer)
    timer = setTimeout(tick, Math.max(0, Math.min(delayMs, deps.config.intervalMs)))
    timer.unref()
  }
  function tick(): void {
    timer = null
    runOnce()
      .catch((error: unknown) => log.warn({ err: error }, 'reconciliation pass failed'))
      .finally(() =>
        schedule(
          nextAt === null ? deps.config.intervalMs : nextAt.getTime() - deps.clock().getTime(),
        ),
      )
  }
  schedule(deps.config.intervalMs)
  return {
    runOnce,
    wake: () => schedule(0),
    stop() {
      stopped = true
      if (timer !== null) clearTimeout(timer)
    },
  }
}
