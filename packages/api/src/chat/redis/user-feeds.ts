/**
 * Users' event feeds on Redis: a capped stream per user (the stream id is the event id, so
 * `lastEventId` resumes on any instance), read through the instance's one blocking reader.
 */
import type { Redis } from 'ioredis'
import type { UserEvent } from '../../shapes'
import type { Hub } from '../hub'
import { TIMING, type RedisKeys } from './keys'
import { runPipeline } from './pipeline'
import { compareIds, type StreamEntry, type StreamReader } from './reader'

export function createUserFeeds(opts: {
  redis: Redis
  keys: RedisKeys
  reader: StreamReader
  /** Aborted when the hub closes: every feed ends. */
  closing: AbortSignal
  /** A feed opened (+1) or ended (-1). */
  onCount: (delta: 1 | -1) => void
}): Pick<Hub, 'publish' | 'subscribe'> {
  const { redis, keys, reader } = opts
  /** When this instance last pushed back the expiry of a user's feed. */
  const renewedAt = new Map<string, number>()

  return {
    async publish(userId, event) {
      const key = keys.userEvents(userId)
      const pipeline = redis
        .pipeline()
        .xadd(key, 'MAXLEN', '~', TIMING.userEventsKept, '*', 'e', JSON.stringify(event))
      // The feed's expiry is pushed back now and then, not at every event.
      const now = Date.now()
      if ((renewedAt.get(key) ?? -Infinity) <= now - TIMING.userEventsRenewMs) {
        pipeline.pexpire(key, TIMING.userEventsTtlMs)
        if (renewedAt.size >= 10_000) renewedAt.clear()
        renewedAt.set(key, now)
      }
      await runPipeline(pipeline)
    },

    async subscribe(userId, lastEventId, signal) {
      const key = keys.userEvents(userId)
      const [newest] = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as StreamEntry[]
      let from = newest?.[0] ?? '0-0'
      if (lastEventId && /^\d+-\d+$/.test(lastEventId)) {
        const [oldest] = (await redis.xrange(key, '-', '+', 'COUNT', 1)) as StreamEntry[]
        // Still kept (not trimmed, not lost): resume right after it.
        if (
          oldest !== undefined &&
          compareIds(lastEventId, oldest[0]) >= 0 &&
          compareIds(lastEventId, from) <= 0
        )
          from = lastEventId
      }
      const both = AbortSignal.any([signal, opts.closing])
      const batches = reader.listen(key, from, both, 60_000)
      // A feed counts from now until it ends or is aborted (even if never read).
      opts.onCount(1)
      let counted = true
      const uncount = () => {
        if (counted) opts.onCount(-1)
        counted = false
      }
      both.addEventListener('abort', uncount, { once: true })
      async function* feed() {
        try {
          for await (const batch of batches) {
            for (const [id, fields] of batch) {
              const raw = fields[1]
              if (raw !== undefined) yield { id, event: JSON.parse(raw) as UserEvent }
            }
          }
        } finally {
          both.removeEventListener('abort', uncount)
          uncount()
        }
      }
      return feed()
    },
  }
}
