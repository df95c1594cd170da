/**
 * The owner's side of the Redis hub: the answers this instance generates. Each is kept in
 * memory (a LiveStream, which the owner's own followers read) and written to its Redis Stream
 * on the instance's frame clock (ticker.ts): every `frameIntervalMs` the text each answer
 * gained is one entry, all answers' entries in one pipeline, and the owner's own followers are
 * woken at the same moment — so followers here and elsewhere see the same frames, and an entry
 * carries every token of its interval (never one per token). Text after a quiet interval (an
 * answer's first, with its `streaming` status) goes out at once; the last interval's text goes
 * in the final entry (frames.ts). After the final entry the stream expires in 10 minutes.
 * Entry ids say where an entry's text ends (frames.ts: entryId).
 */
import type { ChainableCommander, Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { MessageStatus } from '../../shapes'
import type { AnswerKey, AnswerWriter, LiveAnswer } from '../hub'
import { liveStreamWriter } from '../hub-memory'
import { LiveStream } from '../live-stream'
import { entryId, frameFields, textFields } from './frames'
import { TIMING, type RedisKeys } from './keys'
import { runPipeline as run } from './pipeline'
import { createTicker } from './ticker'

export interface OwnedAnswers {
  /** Makes an answer live in Redis (its metadata and first entry), then returns its writer. */
  open(key: AnswerKey): Promise<AnswerWriter>
  /** A live answer generated here. */
  get(messageId: string): LiveStream | undefined
  /** Every live answer generated here. */
  streams(): LiveStream[]
  /** Writes every live answer's metadata again (Redis lost its data). */
  rewriteMeta(): Promise<void>
  /** Stops the frame clock and waits for every answer's writes. */
  close(): Promise<void>
}

interface Local {
  stream: LiveStream
  /** Serialises this answer's Redis writes, in order. */
  chain: Promise<void>
  /** Text already in Redis (reset to 0 after a write failed: the next frame resends it all). */
  sentTo: number
  /** How many entries it wrote (the second part of their ids: entryId). */
  entries: number
  /** Its first text went out. */
  started: boolean
  /** When its last frame went out (performance.now()). */
  sentAt: number
  /** A status to write with the next text entry (`streaming` comes with the first text). */
  carry: MessageStatus | null
}

export function createOwnedAnswers(opts: {
  redis: Redis
  keys: RedisKeys
  instanceId: string
  frameIntervalMs: number
  logger: Logger
}): OwnedAnswers {
  const { redis, keys, instanceId, logger } = opts
  const locals = new Map<string, Local>()
  const ticker = createTicker<Local>(opts.frameIntervalMs, sendText)

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

  /** The id of an answer's next entry: its text's length now, then a count (frames.ts: entryId). */
  function nextId(local: Local): string {
    return entryId(local.stream.text.length, ++local.entries)
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
        nextId(local),
        ...textFields(text.slice(from), status),
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

  async function open(key: AnswerKey): Promise<AnswerWriter> {
    const stream = new LiveStream(key.messageId, key.userId, key.conversationId, null)
    const local: Local = {
      stream,
      chain: Promise.resolve(),
      sentTo: 0,
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
          nextId(local),
          ...frameFields({ type: 'status', status: 'pending' }),
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
            nextId(local),
            ...textFields(text.slice(from), null),
          )
        await run(
          pipeline
            .xadd(keys.answer(key.messageId), '*', ...frameFields({ type: 'final', message }))
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
            nextId(local),
            ...frameFields({ type: 'status', status }),
          ),
        )
      },
    } satisfies AnswerWriter
  }

  return {
    open,
    get: (messageId) => locals.get(messageId)?.stream,
    streams: () => [...locals.values()].map((local) => local.stream),
    async rewriteMeta() {
      await Promise.all([...locals.values()].map((local) => writeMeta(local.stream)))
    },
    async close() {
      ticker.close()
      await Promise.all([...locals.values()].map((local) => local.chain))
    },
  }
}
