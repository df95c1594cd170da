/**
 * The Redis hub: several instances share live answers, stop requests and user events.
 *
 * - The owner keeps each live answer in memory too (a LiveStream): its own followers read it
 *   there, exactly as in one process. Its frames go to a Redis Stream, coalesced: while one
 *   XADD is in flight the text accumulates, so one entry carries every token since the last
 *   (never one entry per token). After the final entry the stream expires in 10 minutes.
 * - Followers on other instances read the backlog with one XRANGE, then live entries through
 *   the instance's ONE blocking reader (reader.ts). A follower whose stream vanished (Redis
 *   lost its data) or that finds a gap ends early: chat.stream then reads the database.
 * - Stop requests go to the owner over pub/sub (one channel per instance).
 * - User events: a capped stream per user; the stream id is the event id.
 * - Liveness: a heartbeat key per instance (short TTL), renewed with the instance's slots
 *   (limiter.ts) and, after Redis lost its data, with the metadata of its live answers.
 */
import { randomUUID } from 'node:crypto'
import type { ChainableCommander, Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Message, UserEvent } from '../../shapes'
import { frameLength, liveStreamWriter } from '../hub-memory'
import type { AnswerFrame, AnswerKey, AnswerWriter, Hub } from '../hub'
import { LiveStream } from '../live-stream'
import { entryFrame, foldBacklog, frameFields } from './frames'
import { redisKeys, TIMING, type RedisKeys } from './keys'
import { compareIds, createStreamReader, type StreamEntry } from './reader'

export interface RedisHub extends Hub {
  readonly keys: RedisKeys
  /** Answers generated here, for the heartbeat (slots) and shutdown. */
  localAnswers(): Iterable<AnswerKey>
  /** Runs after each heartbeat with whether Redis had lost this instance's key. */
  onHeartbeat(listener: (lostData: boolean) => Promise<void>): void
}

interface Local {
  stream: LiveStream
  /** Serialises this answer's Redis writes, in order. */
  chain: Promise<void>
  /** Text already in Redis (reset to 0 after a write failed: the next frame resends it all). */
  sentTo: number
  scheduled: boolean
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
  const locals = new Map<string, Local>()
  const frameMs = () => frameLength(locals.size, opts.frameIntervalMs)
  const reader = createStreamReader(redis)
  const subscriber = redis.duplicate({ maxRetriesPerRequest: null, commandTimeout: undefined })
  subscriber.on('error', () => undefined)
  const heartbeatListeners: ((lostData: boolean) => Promise<void>)[] = []
  let followers = 0
  let closed = false
  const closing = new AbortController()

  void subscriber.subscribe(keys.stops(instanceId)).catch((error: unknown) => {
    logger.warn({ err: error }, 'stop channel subscription failed')
  })
  subscriber.on('message', (_channel: string, messageId: string) => {
    locals.get(messageId)?.stream.stopListeners.forEach((listener) => listener())
  })

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
      await Promise.all([...locals.values()].map((local) => writeMeta(local.stream)))
    }
    for (const listener of heartbeatListeners) await listener(lostData)
  }
  const beating = setInterval(() => {
    heartbeat().catch((error: unknown) => logger.warn({ err: error }, 'heartbeat failed'))
  }, TIMING.heartbeatEveryMs)
  beating.unref()
  void heartbeat().catch((error: unknown) => logger.warn({ err: error }, 'heartbeat failed'))

  /** Queues the writes that make an answer visible as live (its owner and user). */
  function withMeta(pipeline: ChainableCommander, key: AnswerKey): ChainableCommander {
    const { messageId, userId, conversationId } = key
    return pipeline
      .hset(keys.answerMeta(messageId), { userId, conversationId, owner: instanceId })
      .pexpire(keys.answerMeta(messageId), TIMING.liveAnswerTtlMs)
  }

  function writeMeta(stream: LiveStream): Promise<unknown> {
    return withMeta(redis.multi(), stream).exec()
  }

  function enqueue(local: Local, write: () => Promise<unknown>): Promise<void> {
    local.chain = local.chain.then(write).then(
      () => undefined,
      (error: unknown) => {
        // Redis is down or lost the stream: the owner carries on (its text goes to Postgres);
        // the next frame resends the whole text, so followers can catch up without a gap.
        local.sentTo = 0
        logger.warn({ err: error, messageId: local.stream.messageId }, 'frame not written')
      },
    )
    return local.chain
  }

  function xadd(messageId: string, fields: string[]): Promise<unknown> {
    return redis.xadd(keys.answer(messageId), '*', ...fields)
  }

  /** Sends the text not yet in Redis as one frame (everything that arrived meanwhile). */
  function scheduleText(local: Local): void {
    if (local.scheduled) return
    local.scheduled = true
    void enqueue(local, async () => {
      // Let the tokens of this frame interval (and of one event-loop turn) gather first.
      await new Promise((resolve) => setTimeout(resolve, frameMs()))
      local.scheduled = false
      const text = local.stream.text
      if (text.length <= local.sentTo) return
      const from = local.sentTo
      local.sentTo = text.length
      await xadd(
        local.stream.messageId,
        frameFields({ type: 'text', offset: from, text: text.slice(from) }, from),
      )
    })
  }

  async function* followRemote(
    messageId: string,
    offset: number,
    signal: AbortSignal,
  ): AsyncGenerator<AnswerFrame> {
    const key = keys.answer(messageId)
    const backlog = (await redis.xrange(key, '-', '+')) as StreamEntry[]
    if (backlog.length === 0) return
    const folded = foldBacklog(
      backlog.flatMap((e) => entryFrame(e) ?? []),
      offset,
    )
    if (folded === null) return
    yield* folded
    if (folded.at(-1)?.type === 'final') return
    let lastId = backlog[backlog.length - 1]?.[0] ?? '0-0'
    const both = AbortSignal.any([signal, closing.signal])
    for await (const batch of reader.listen(key, lastId, both, TIMING.followerCheckMs)) {
      if (batch.length === 0) {
        // Quiet for a while: make sure the answer still exists (Redis may have lost it).
        if ((await redis.exists(key)) === 0) return
        continue
      }
      for (const entry of batch) {
        if (compareIds(entry[0], lastId) <= 0) continue
        lastId = entry[0]
        const frame = entryFrame(entry)
        if (frame === null) continue
        yield frame
        if (frame.type === 'final') return
      }
    }
  }

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

    async open(key) {
      const stream = new LiveStream(key.messageId, key.userId, key.conversationId, frameMs)
      const local: Local = { stream, chain: Promise.resolve(), sentTo: 0, scheduled: false }
      // Registered in Redis before anyone is told the answer exists; a failure here fails the
      // turn (the caller ends the answer) rather than leave it invisible to other instances.
      await withMeta(redis.multi(), key)
        .xadd(
          keys.answer(key.messageId),
          '*',
          ...frameFields({ type: 'status', status: 'pending' }, 0),
        )
        .pexpire(keys.answer(key.messageId), TIMING.liveAnswerTtlMs)
        .exec()
      locals.set(key.messageId, local)
      const writer = liveStreamWriter(stream, async (message) => {
        locals.delete(key.messageId)
        // Text still waiting goes first; then the final entry, and the stream starts expiring.
        const text = stream.text
        await enqueue(local, async () => {
          const from = local.sentTo
          const pipeline = redis.multi()
          if (text.length > from)
            pipeline.xadd(
              keys.answer(key.messageId),
              '*',
              ...frameFields({ type: 'text', offset: from, text: text.slice(from) }, from),
            )
          await pipeline
            .xadd(keys.answer(key.messageId), '*', ...frameFields({ type: 'final', message }, 0))
            .pexpire(keys.answer(key.messageId), TIMING.endedAnswerTtlMs)
            .del(keys.answerMeta(key.messageId))
            .exec()
        })
      })
      return {
        ...writer,
        append(text) {
          writer.append(text)
          scheduleText(local)
        },
        setStatus(status) {
          writer.setStatus(status)
          void enqueue(local, () =>
            xadd(key.messageId, frameFields({ type: 'status', status }, local.sentTo)),
          )
        },
      } satisfies AnswerWriter
    },

    async lookup(messageId) {
      const meta = await redis.hgetall(keys.answerMeta(messageId))
      const { userId, conversationId, owner } = meta
      if (userId === undefined || conversationId === undefined || owner === undefined) return null
      return { messageId, userId, conversationId, owner }
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

    async *follow(messageId, offset, signal) {
      followers++
      try {
        const local = locals.get(messageId)
        if (local !== undefined) yield* local.stream.frames(offset, signal)
        else yield* followRemote(messageId, offset, signal)
      } finally {
        followers--
      }
    },

    async requestStop(messageId, timeoutMs) {
      const local = locals.get(messageId)
      if (local !== undefined) {
        const final = finalOf(messageId, timeoutMs)
        for (const listener of local.stream.stopListeners) listener()
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
      const tail = last[0] === undefined ? null : entryFrame(last[0])
      if (tail?.type === 'final') return
      await redis
        .multi()
        .xadd(key, '*', ...frameFields({ type: 'final', message }, 0))
        .pexpire(key, TIMING.endedAnswerTtlMs)
        .del(keys.answerMeta(message.id))
        .exec()
    },

    async publish(userId, event) {
      const key = keys.userEvents(userId)
      await redis
        .multi()
        .xadd(key, 'MAXLEN', '~', TIMING.userEventsKept, '*', 'e', JSON.stringify(event))
        .pexpire(key, TIMING.userEventsTtlMs)
        .exec()
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
      const both = AbortSignal.any([signal, closing.signal])
      const batches = reader.listen(key, from, both, 60_000)
      // A feed counts from now until it ends or is aborted (even if never read).
      followers++
      let counted = true
      const uncount = () => {
        if (counted) followers--
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

    async isAlive(id) {
      if (id === instanceId) return !closed
      return (await redis.exists(keys.instance(id))) === 1
    },

    followers: () => followers,

    localAnswers: () =>
      [...locals.values()].map(({ stream }) => ({
        messageId: stream.messageId,
        userId: stream.userId,
        conversationId: stream.conversationId,
      })),

    onHeartbeat(listener) {
      heartbeatListeners.push(listener)
    },

    async close() {
      closed = true
      clearInterval(beating)
      closing.abort()
      await Promise.all([...locals.values()].map((local) => local.chain))
      await reader.close()
      subscriber.disconnect()
      await redis.del(keys.instance(instanceId)).catch(() => undefined)
    },
  }
  return hub
}
