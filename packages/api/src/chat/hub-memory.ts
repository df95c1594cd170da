/**
 * The in-process hub: live answers and user events in this process's memory. The default
 * without Redis (one process: PGlite, or one server on Postgres). Only this instance exists,
 * so liveness is trivial and an answer the hub does not carry is not live anywhere reachable.
 */
import { randomUUID } from 'node:crypto'
import type { Message } from '../shapes'
import type { AnswerWriter, Hub, LiveAnswer } from './hub'
import { LiveStream } from './live-stream'
import { createUserChannels } from './user-channels'

/**
 * How long deltas may wait to travel together. Alone, a stream flushes every token at once;
 * as live streams add up, frames widen (0.1 ms per live stream, up to `maxFrameMs`), which
 * bounds the per-frame work (serialising, a write per subscriber) when the CPU is busiest.
 */
export function frameLength(liveStreams: number, maxFrameMs: number): number {
  return Math.min(maxFrameMs, liveStreams * 0.1)
}

/** A writer over a LiveStream: the owner side of a live answer in memory. */
export function liveStreamWriter(
  stream: LiveStream,
  onFinish: (message: Message) => Promise<void> | void,
): AnswerWriter {
  const { messageId, userId, conversationId } = stream
  return {
    key: { messageId, userId, conversationId },
    text: () => stream.text,
    status: () => stream.status,
    append: (text) => stream.append(text),
    setStatus: (status) => stream.setStatus(status),
    async finish(message) {
      if (stream.final !== null) return
      stream.finish(message)
      await onFinish(message)
    },
    onStop: (listener) => void stream.stopListeners.push(listener),
  }
}

/** The single-process hub: everything lives in this process's memory. */
export function createInProcessHub(opts: { frameIntervalMs: number }): Hub {
  const instanceId = randomUUID()
  const streams = new Map<string, LiveStream>()
  const frameMs = () => frameLength(streams.size, opts.frameIntervalMs)
  const awaited = new Map<string, Set<(answer: LiveAnswer | null) => void>>()
  const users = createUserChannels()
  let answerFollowers = 0

  const describe = (stream: LiveStream): LiveAnswer => ({
    messageId: stream.messageId,
    userId: stream.userId,
    conversationId: stream.conversationId,
    owner: instanceId,
  })

  /** Resolves with the stream's final message, or null after `timeoutMs`. */
  function finalOf(stream: LiveStream, timeoutMs: number): Promise<Message | null> {
    const deadline = AbortSignal.timeout(timeoutMs)
    return (async () => {
      for await (const frame of stream.frames(Number.MAX_SAFE_INTEGER, deadline)) {
        if (frame.type === 'final') return frame.message
      }
      return null
    })()
  }

  async function* framesOf(stream: LiveStream, offset: number, signal: AbortSignal) {
    answerFollowers++
    try {
      yield* stream.frames(offset, signal)
    } finally {
      answerFollowers--
    }
  }

  return {
    instanceId,

    open(key) {
      const stream = new LiveStream(key.messageId, key.userId, key.conversationId, frameMs)
      streams.set(key.messageId, stream)
      const waiters = awaited.get(key.messageId)
      if (waiters !== undefined) {
        awaited.delete(key.messageId)
        for (const wake of waiters) wake(describe(stream))
      }
      // Late followers read the database once the answer has ended: its final state is there.
      return Promise.resolve(liveStreamWriter(stream, () => void streams.delete(key.messageId)))
    },

    lookup(messageId) {
      const stream = streams.get(messageId)
      return Promise.resolve(stream === undefined ? null : describe(stream))
    },

    waitFor(messageId, timeoutMs, signal) {
      const live = streams.get(messageId)
      if (live !== undefined || signal.aborted)
        return Promise.resolve(live === undefined ? null : describe(live))
      return new Promise((resolve) => {
        let waiters = awaited.get(messageId)
        if (waiters === undefined) awaited.set(messageId, (waiters = new Set()))
        const set = waiters
        const done = (answer: LiveAnswer | null) => {
          clearTimeout(timer)
          signal.removeEventListener('abort', onAbort)
          set.delete(done)
          if (set.size === 0 && awaited.get(messageId) === set) awaited.delete(messageId)
          resolve(answer)
        }
        const onAbort = () => done(null)
        const timer = setTimeout(onAbort, timeoutMs)
        signal.addEventListener('abort', onAbort, { once: true })
        set.add(done)
      })
    },

    async *follow(messageId, offset, signal) {
      const stream = streams.get(messageId)
      if (stream !== undefined) yield* framesOf(stream, offset, signal)
    },

    attach(messageId, offset, signal) {
      const stream = streams.get(messageId)
      if (stream === undefined) return Promise.resolve(null)
      return Promise.resolve({
        answer: describe(stream),
        frames: framesOf(stream, offset, signal),
      })
    },

    async requestStop(messageId, timeoutMs) {
      const stream = streams.get(messageId)
      if (stream === undefined) return null
      const final = finalOf(stream, timeoutMs)
      for (const listener of stream.stopListeners) listener()
      return final
    },

    endOrphan(message) {
      // Every answer this hub carries is generated here: none is ever orphaned.
      const stream = streams.get(message.id)
      if (stream !== undefined && stream.final === null) stream.finish(message)
      return Promise.resolve()
    },

    publish(userId, event) {
      users.publish(userId, event)
      return Promise.resolve()
    },

    subscribe: (userId, lastEventId, signal) => users.subscribe(userId, lastEventId, signal),

    isAlive: (id) => Promise.resolve(id === instanceId),

    followers: () => answerFollowers + users.readers(),

    close() {
      users.close()
      return Promise.resolve()
    },
  }
}
