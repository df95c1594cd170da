/**
 * The Redis hub: several instances share live answers, stop requests and user events.
 *
 * - The owner keeps each live answer in memory too (a LiveStream): its own followers read it
 *   there, exactly as in one process, and its frames go to a Redis Stream on the instance's
 *   frame clock (owned-answers.ts).
 * - Entry ids say where an entry's text ends (frames.ts: entryId). Followers on other
 *   instances (follow-remote.ts) read exactly the entries after their offset, then live
 *   entries through the instance's ONE blocking reader (reader.ts). A follower whose
 *   stream vanished (Redis lost its data) or that finds a gap ends early: chat.stream then
 *   reads the database.
 * - Stop requests go to the owner over pub/sub (one channel per instance).
 * - User events: a capped stream per user; the stream id is the event id (user-feeds.ts).
 * - Liveness: a heartbeat key per instance (short TTL), renewed with the instance's slots
 *   (limiter.ts) and, after Redis lost its data, with the metadata of its live answers.
 */
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Message } from '../../shapes'
import type { AnswerFrame, AnswerKey, Hub } from '../hub'
import { entryFrames, frameFields } from './frames'
import { createRemoteFollower, parseMeta } from './follow-remote'
import { redisKeys, TIMING, type RedisKeys } from './keys'
import { createOwnedAnswers } from './owned-answers'
import { createStreamReader, type StreamEntry } from './reader'
import { runPipeline as run } from './pipeline'
import { createUserFeeds } from './user-feeds'

export interface RedisHub extends Hub {
  readonly keys: RedisKeys
  /** Answers generated here, for the heartbeat (slots) and shutdown. */
  localAnswers(): Iterable<AnswerKey>
  /** Runs after each heartbeat with whether Redis had lost this instance's key. */
  onHeartbeat(listener: (lostData: boolean) => Promise<void>): void
}

export function createRedisHub(opts: {
  redis: Redis
  keyPrefix: string
  frameIntervalMs: number
  logger: Logger
}): RedisHub {
  const { redis, logger } = opts
  const keys = redisKeys(opts.keyPrefix)
  const instanceId = randomUUID()
  const owned = createOwnedAnswers({
    redis,
    keys,
    instanceId,
    frameIntervalMs: opts.frameIntervalMs,
    logger,
  })
  const reader = createStreamReader(redis)
  const subscriber = redis.duplicate({ maxRetriesPerRequest: null, commandTimeout: undefined })
  subscriber.on('error', () => undefined)
  const heartbeatListeners: ((lostData: boolean) => Promise<void>)[] = []
  let followers = 0
  let closed = false
  const closing = new AbortController()
  const followRemote = createRemoteFollower({ redis, keys, reader })
  const feeds = createUserFeeds({
    redis,
    keys,
    reader,
    closing: closing.signal,
    onCount: (delta) => (followers += delta),
  })

  void subscriber.subscribe(keys.stops(instanceId)).catch((error: unknown) => {
    logger.warn({ err: error }, 'stop channel subscription failed')
  })
  subscriber.on('message', (_channel: string, messageId: string) => {
    owned.get(messageId)?.stopListeners.forEach((listener) => listener())
  })

  /** Frames that count as a follower while they are read. */
  async function* counted(frames: AsyncIterable<AnswerFrame>): AsyncGenerator<AnswerFrame> {
    followers++
    try {
      yield* frames
    } finally {
      followers--
    }
  }

  let beats = 0
  async function heartbeat(): Promise<void> {
    const previous = await redis.set(
      keys.instance(instanceId),
      String(Date.now()),
      'PX',
      TIMING.heartbeatTtlMs,
      'GET',
    )
    const lostData = beats++ > 0 && previous === null
    if (lostData) {
      logger.warn('Redis lost this instance’s keys: re-creating them')
      await owned.rewriteMeta()
    }
    for (const listener of heartbeatListeners) await listener(lostData)
  }
  const beating = setInterval(() => {
    heartbeat().catch((error: unknown) => logger.warn({ err: error }, 'heartbeat failed'))
  }, TIMING.heartbeatEveryMs)
  beating.unref()
  void heartbeat().catch((error: unknown) => logger.warn({ err: error }, 'heartbeat failed'))

  async function finalOf(messageId: string, timeoutMs: number): Promise<Message | null> {
    const deadline = AbortSignal.timeout(timeoutMs)
    try {
      for await (const frame of hub.follow(messageId, Number.MAX_SAFE_INTEGER, deadline))
        if (frame.type === 'final') return frame.message
    } catch {
      return null
    }
    return null
  }

  const hub: RedisHub = {
    instanceId,
    keys,
    open: (key) => owned.open(key),

    async lookup(messageId) {
      // An answer generated here needs no round trip (a resume on its owner).
      const local = owned.get(messageId)
      if (local !== undefined) {
        const { userId, conversationId } = local
        return { messageId, userId, conversationId, owner: instanceId }
      }
      return parseMeta(messageId, await redis.get(keys.answerMeta(messageId)))
    },

    async attach(messageId, offset, signal) {
      if (owned.get(messageId) !== undefined) {
        const answer = await hub.lookup(messageId)
        return answer && { answer, frames: hub.follow(messageId, offset, signal) }
      }
      // A resume on another instance: the metadata and the backlog's tail in one round trip.
      const remote = await followRemote.attach(
        messageId,
        offset,
        AbortSignal.any([signal, closing.signal]),
      )
      return remote && { answer: remote.answer, frames: counted(remote.frames) }
    },

    async waitFor(messageId, timeoutMs, signal) {
      const deadline = Date.now() + timeoutMs
      // Polled: the answer may go live on any instance. Short steps, as a client usually
      // subscribes just before its chat.send creates the answer.
      for (let wait = 5; !signal.aborted && !closed; wait = Math.min(wait * 2, 100)) {
        const live = await hub.lookup(messageId)
        if (live !== null) return live
        if (Date.now() >= deadline) return null
        await new Promise((resolve) => setTimeout(resolve, wait))
      }
      return null
    },

    follow(messageId, offset, signal) {
      const local = owned.get(messageId)
      return counted(
        local !== undefined
          ? local.frames(offset, signal)
          : followRemote.follow(messageId, offset, AbortSignal.any([signal, closing.signal])),
      )
    },

    async requestStop(messageId, timeoutMs) {
      const local = owned.get(messageId)
      if (local !== undefined) {
        const final = finalOf(messageId, timeoutMs)
        for (const listener of local.stopListeners) listener()
        return final
      }
      const live = await hub.lookup(messageId)
      if (live === null || !(await hub.isAlive(live.owner))) return null
      const final = finalOf(messageId, timeoutMs)
      await redis.publish(keys.stops(live.owner), messageId)
      return final
    },

    async endOrphan(message) {
      const key = keys.answer(message.id)
      // Only a stream without a final entry gets one (a late owner may have written it).
      const last = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as StreamEntry[]
      const tail = last[0] === undefined ? undefined : entryFrames(last[0]).at(-1)
      if (tail?.type === 'final') return
      await run(
        redis
          .pipeline()
          .xadd(key, '*', ...frameFields({ type: 'final', message }))
          .pexpire(key, TIMING.endedAnswerTtlMs)
          .del(keys.answerMeta(message.id)),
      )
    },

    publish: (userId, event) => feeds.publish(userId, event),
    subscribe: (userId, lastEventId, signal) => feeds.subscribe(userId, lastEventId, signal),

    async isAlive(id) {
      if (id === instanceId) return !closed
      return (await redis.exists(keys.instance(id))) === 1
    },

    followers: () => followers,

    localAnswers: () =>
      owned.streams().map(({ messageId, userId, conversationId }) => ({
        messageId,
        userId,
        conversationId,
      })),

    onHeartbeat(listener) {
      heartbeatListeners.push(listener)
    },

    async close() {
      closed = true
      clearInterval(beating)
      const written = owned.close() // the frame clock stops at once; writes are waited for
      closing.abort()
      await written
      await reader.close()
      subscriber.disconnect()
      await redis.del(keys.instance(instanceId)).catch(() => undefined)
    },
  }
  return hub
}
