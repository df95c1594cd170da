/**
 * The Redis hub: several instances share live answers, stop requests and user events.
 *
 * - The owner keeps each live answer in memory too (a LiveStream): its own followers read it
 *   there, exactly as in one process. Its frames go to a Redis Stream on the instance's frame
 *   clock (ticker.ts): every `frameIntervalMs` the text each answer gained is one entry, all
 *   answers' entries in one pipeline, and the owner's own followers are woken at the same
 *   moment — so followers here and elsewhere see the same frames, and an entry carries every
 *   token of its interval (never one per token). Text after a quiet interval (an answer's
 *   first, with its `streaming` status) goes out at once; the last interval's text goes in the
 *   final entry (frames.ts).
 *   After the final entry the stream expires in 10 minutes.
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
import type { ChainableCommander, Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Message, MessageStatus } from '../../shapes'
import { liveStreamWriter } from '../hub-memory'
import type { AnswerFrame, AnswerKey, AnswerWriter, Hub, LiveAnswer } from '../hub'
import { LiveStream } from '../live-stream'
import { entryFrames, entryId, frameFields, textFields } from './frames'
import { createRemoteFollower, parseMeta } from './follow-remote'
import { redisKeys, TIMING, type RedisKeys } from './keys'
import { createStreamReader, type StreamEntry } from './reader'
import { runPipeline as run } from './pipeline'
import { createTicker } from './ticker'
import { createUserFeeds } from './user-feeds'

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
  /** The text offset of its newest entry's id, and how many entries it wrote (entryId). */
  idEnd: number
  entries: number
  /** Its first text went out. */
  started: boolean
  /** When its last frame went out (performance.now()). */
  sentAt: number
  /** A status to write with the next text entry (`streaming` comes with the first text). */
  carry: MessageStatus | null
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
  const ticker = createTicker<Local>(opts.frameIntervalMs, sendText)
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
    locals.get(messageId)?.stream.stopListeners.forEach((listener) => listener())
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
      await Promise.all([...locals.values()].map((local) => writeMeta(local.stream)))
    }
    for (const listener of heartbeatListeners) await listener(lostData)
  }
  const beating = setInterval(() => {
    heartbeat().catch((error: unknown) => logger.warn({ err: error }, 'heartbeat failed'))
  }, TIMING.heartbeatEveryMs)
  beating.unref()
  void heartbeat().catch((error: unknown) => logger.warn({ err: error }, 'heartbeat failed'))

  /** Queues the write that makes an answer visible as live (its owner and user): one SET. */
  function withMeta(pipeline: ChainableCommander, key: AnswerKey): ChainableCommander {
    const { messageId, userId, conversationId } = key
    const meta: LiveAnswer = { messageId, userId, conversationId, owner: instanceId }
    return pipeline.set(
      keys.answerMeta(messageId),
      JSON.stringify(meta),
      'PX',
      TIMING.liveAnswerTtlMs,
    )
  }

  async function writeMeta(stream: LiveStream): Promise<void> {
    await run(withMeta(redis.pipeline(), stream))
  }

  /**
   * Issues one of an answer's writes now. Commands reach Redis in the order they are issued
   * (one connection), so its entries keep their order; the chain lets its end wait for all.
   * A failed write: the owner carries on (its text goes to Postgres) and the next frame
   * resends the whole text, so followers catch up without a gap.
   */
  function enqueue(local: Local, write: () => Promise<unknown>): Promise<void> {
    const written = write().then(
      () => undefined,
      (error: unknown) => unsent(local, error),
    )
    local.chain = local.chain.then(() => written)
    return local.chain
  }

  /** The id of an answer's next entry, whose text ends at `end` (frames.ts: entryId). */
  function nextId(local: Local, end: number): string {
    local.idEnd = Math.max(local.idEnd, end)
    return entryId(local.idEnd, ++local.entries)
  }

  /**
   * One frame per answer: the text each gained since its last frame, to its followers here
   * and, in one pipeline for all of them, to Redis.
   */
  function sendText(batch: Local[]): void {
    const now = performance.now()
    const pipeline = redis.pipeline()
    const sent: Local[] = []
    for (const local of batch) {
      const text = local.stream.text
      const status = local.carry
      local.stream.flush()
      if (text.length <= local.sentTo && status === null) continue
      const from = local.sentTo
      local.sentTo = text.length
      local.carry = null
      local.sentAt = now
      pipeline.xadd(
        keys.answer(local.stream.messageId),
        nextId(local, text.length),
        ...textFields(from, text.slice(from), status),
      )
      sent.push(local)
    }
    if (sent.length === 0) return
    pipeline.exec().then(
      (results) => results?.forEach(([error], i) => error && unsent(sent[i], error)),
      (error: unknown) => sent.forEach((local) => unsent(local, error)),
    )
  }

  /** Redis is down or lost the stream: the next frame resends the whole text and status. */
  function unsent(local: Local | undefined, error: unknown): void {
    if (local === undefined) return
    local.sentTo = 0
    local.carry = local.stream.status
    logger.warn({ err: error, messageId: local.stream.messageId }, 'frame not written')
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
      const stream = new LiveStream(key.messageId, key.userId, key.conversationId, null)
      const local: Local = {
        stream,
        chain: Promise.resolve(),
        sentTo: 0,
        idEnd: 0,
        entries: 0,
        started: false,
        sentAt: 0,
        carry: null,
      }
      // Registered in Redis before anyone is told the answer exists; a failure here fails the
      // turn (the caller ends the answer) rather than leave it invisible to other instances.
      await run(
        withMeta(redis.pipeline(), key)
          .xadd(
            keys.answer(key.messageId),
            nextId(local, 0),
            ...frameFields({ type: 'status', status: 'pending' }, 0),
          )
          .pexpire(keys.answer(key.messageId), TIMING.liveAnswerTtlMs),
      )
      locals.set(key.messageId, local)
      const writer = liveStreamWriter(stream, async (message) => {
        locals.delete(key.messageId)
        ticker.forget(local)
        // The final entry (its message holds the whole text, so followers take the text still
        // waiting from it), and the stream starts expiring. Text that differs from the saved
        // content (never, today) still goes as its own frame first.
        const text = stream.text
        await enqueue(local, async () => {
          const from = local.sentTo
          local.sentTo = text.length
          const pipeline = redis.pipeline()
          if (text.length > from && message.content !== text)
            pipeline.xadd(
              keys.answer(key.messageId),
              nextId(local, text.length),
              ...frameFields({ type: 'text', offset: from, text: text.slice(from) }, from),
            )
          await run(
            pipeline
              .xadd(keys.answer(key.messageId), '*', ...frameFields({ type: 'final', message }, 0))
              .pexpire(keys.answer(key.messageId), TIMING.endedAnswerTtlMs)
              .del(keys.answerMeta(key.messageId)),
          )
        })
      })
      return {
        ...writer,
        append(text) {
          writer.append(text)
          // Text waits for the clock, unless the answer was quiet for a whole interval (its
          // first text, or text after a pause of the model): a frame then goes out at once,
          // so a pause never costs a follower an extra interval. Already marked: nothing to do.
          if (ticker.has(local)) return
          local.started = true
          if (performance.now() - local.sentAt < opts.frameIntervalMs) ticker.mark(local)
          else sendText([local])
        },
        setStatus(status) {
          writer.setStatus(status)
          // `streaming` is set just before the first text: one entry carries both.
          if (status === 'streaming' && !local.started) {
            local.carry = status
            return
          }
          void enqueue(local, () =>
            redis.xadd(
              keys.answer(key.messageId),
              nextId(local, 0),
              ...frameFields({ type: 'status', status }, local.sentTo),
            ),
          )
        },
      } satisfies AnswerWriter
    },

    async lookup(messageId) {
      // An answer generated here needs no round trip (a resume on its owner).
      const local = locals.get(messageId)?.stream
      if (local !== undefined) {
        const { userId, conversationId } = local
        return { messageId, userId, conversationId, owner: instanceId }
      }
      return parseMeta(messageId, await redis.get(keys.answerMeta(messageId)))
    },

    async attach(messageId, offset, signal) {
      if (locals.has(messageId)) {
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
      const local = locals.get(messageId)
      return counted(
        local !== undefined
          ? local.stream.frames(offset, signal)
          : followRemote.follow(messageId, offset, AbortSignal.any([signal, closing.signal])),
      )
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
      const tail = last[0] === undefined ? undefined : entryFrames(last[0]).at(-1)
      if (tail?.type === 'final') return
      await run(
        redis
          .pipeline()
          .xadd(key, '*', ...frameFields({ type: 'final', message }, 0))
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
      ticker.close()
      closing.abort()
      await Promise.all([...locals.values()].map((local) => local.chain))
      await reader.close()
      subscriber.disconnect()
      await redis.del(keys.instance(instanceId)).catch(() => undefined)
    },
  }
  return hub
}
