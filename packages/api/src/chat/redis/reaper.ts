/**
 * The reaper: ends the live answers of instances that died. Runs on every instance, one at a
 * time (a lock in Redis). An owner counts as dead once its heartbeat key has been missing on
 * checks `deadAfterMissingMs` apart (two heartbeat intervals) — so a Redis that lost its data
 * (every heartbeat gone for a moment, until the owners renew them) kills nothing. Dead owners' answers end as
 * `error: interrupted` with their checkpointed text (one conditional statement: an answer that
 * ended meanwhile is left alone); their followers get `final`, their users the update, their
 * concurrency slots are freed. At start-up it is the recovery: live owners are never touched.
 */
import type { Redis } from 'ioredis'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { findMessage, interruptLiveAnswers, liveAnswerOwners, type Database } from '@t3chat/db'
import { toMessage } from '../../mappers'
import { INTERRUPTED_MESSAGE } from '../generation'
import type { ConcurrencyLimiter } from '../limiter'
import type { RedisHub } from './hub'
import { TIMING } from './keys'

export interface Reaper {
  /** One pass (if this instance holds the lock); the number of answers it ended. */
  runOnce(): Promise<number>
  stop(): void
}

export function startReaper(deps: {
  db: Kysely<Database>
  redis: Redis
  hub: RedisHub
  limiter: ConcurrencyLimiter
  logger: Logger
}): Reaper {
  const { db, redis, hub, logger } = deps
  /** Owners seen without a heartbeat, and since when (this instance's observations). */
  const missingSince = new Map<string, number>()

  async function runOnce(): Promise<number> {
    const lock = await redis.set(
      hub.keys.reaperLock(),
      hub.instanceId,
      'PX',
      TIMING.reaperEveryMs,
      'NX',
    )
    if (lock === null) return 0
    const owners = await liveAnswerOwners(db)
    const now = Date.now()
    const dead: (string | null)[] = []
    for (const owner of owners) {
      if (owner === null) {
        dead.push(null)
        continue
      }
      if (await hub.isAlive(owner)) {
        missingSince.delete(owner)
        continue
      }
      const since = missingSince.get(owner)
      if (since === undefined) missingSince.set(owner, now)
      else if (now - since >= TIMING.deadAfterMissingMs) dead.push(owner)
    }
    for (const owner of missingSince.keys()) if (!owners.includes(owner)) missingSince.delete(owner)
    if (dead.length === 0) return 0
    const failed = await interruptLiveAnswers(db, {
      errorCode: 'interrupted',
      errorMessage: INTERRUPTED_MESSAGE,
      owners: dead,
    })
    for (const row of failed) {
      // The row as it ended, with its branch position (which ending it did not change).
      const branched = await findMessage(db, { userId: row.userId, id: row.id })
      if (branched !== undefined) {
        const message = toMessage(branched)
        await hub.endOrphan(message)
        await hub.publish(row.userId, { type: 'message.updated', message })
      }
      await deps.limiter.release(row.userId, row.id)
    }
    if (failed.length > 0)
      logger.warn(
        { count: failed.length, owners: dead.length },
        'ended answers of stopped instances',
      )
    return failed.length
  }

  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => logger.warn({ err: error }, 'reaper pass failed'))
  }, TIMING.reaperEveryMs)
  timer.unref()
  return { runOnce, stop: () => clearInterval(timer) }
}
