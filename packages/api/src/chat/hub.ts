import { randomUUID } from 'node:crypto'
import type { UserEvent } from '../shapes'
import { LiveStream } from './live-stream'

/** A user event with its resume id. */
export interface TrackedUserEvent {
  id: string
  event: UserEvent
}

/**
 * Where live answers and user events meet their subscribers. The engine only talks to this
 * interface, so a Redis-backed hub (several server instances) can replace the in-process one
 * without touching the engine.
 */
export interface Hub {
  /** Registers a live answer; the writer owns it until `release`. */
  open(key: { messageId: string; userId: string; conversationId: string }): LiveStream
  /** The live answer if this hub carries it. */
  get(messageId: string): LiveStream | undefined
  /**
   * Resolves when the answer goes live here, or with undefined after `timeoutMs` or on abort:
   * lets a client subscribe to an answer id it chose before `chat.send` has created it.
   */
  waitFor(
    messageId: string,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<LiveStream | undefined>
  /** Forgets a finished answer (late subscribers then read the database). */
  release(messageId: string): void
  /** All answers currently live here. */
  live(): Iterable<LiveStream>
  publish(userId: string, event: UserEvent): void
  /**
   * The user's events after `lastEventId` (those still buffered), then live ones until
   * `signal` aborts or the hub closes.
   */
  subscribe(
    userId: string,
    lastEventId: string | null,
    signal: AbortSignal,
  ): AsyncIterable<TrackedUserEvent>
  /** Ends every `subscribe` feed (after the events already buffered). */
  close(): void
}

interface UserChannel {
  /** The last few events, for a client that reconnects. */
  buffer: TrackedUserEvent[]
  waiters: Set<() => void>
  touchedAt: number
}

const BUFFERED_EVENTS = 200
/** How long a closed feed's buffer waits for its client to reconnect. */
const IDLE_CHANNEL_MS = 2 * 60_000

/**
 * How long deltas may wait to travel together. Alone, a stream flushes every token at once;
 * as live streams add up, frames widen (0.1 ms per live stream, up to `maxFrameMs`), which
 * bounds the per-frame work (serialising, a write per subscriber) when the CPU is busiest.
 */
export function frameLength(liveStreams: number, maxFrameMs: number): number {
  return Math.min(maxFrameMs, liveStreams * 0.1)
}

/** The single-process hub: everything lives in this process's memory. */
export function createInProcessHub(opts: { frameIntervalMs: number }): Hub {
  const streams = new Map<string, LiveStream>()
  const frameMs = () => frameLength(streams.size, opts.frameIntervalMs)
  const channels = new Map<string, UserChannel>()
  const awaited = new Map<string, Set<(stream: LiveStream | undefined) => void>>()
  // Event ids carry a boot id: an id from before a restart cannot be replayed, only followed.
  const boot = randomUUID().slice(0, 8)
  let counter = 0
  let closed = false

  const sweeper = setInterval(() => {
    // A channel with no reader for a while is dropped; a client returning later refetches.
    const cutoff = Date.now() - IDLE_CHANNEL_MS
    for (const [userId, channel] of channels) {
      if (channel.waiters.size === 0 && channel.touchedAt < cutoff) channels.delete(userId)
    }
  }, 30_000)
  sweeper.unref()

  function channelOf(userId: string): UserChannel {
    let channel = channels.get(userId)
    if (channel === undefined) {
      channel = { buffer: [], waiters: new Set(), touchedAt: Date.now() }
      channels.set(userId, channel)
    }
    return channel
  }

  return {
    open({ messageId, userId, conversationId }) {
      const stream = new LiveStream(messageId, userId, conversationId, frameMs)
      streams.set(messageId, stream)
      const waiters = awaited.get(messageId)
      if (waiters !== undefined) {
        awaited.delete(messageId)
        for (const wake of waiters) wake(stream)
      }
      return stream
    },
    get: (messageId) => streams.get(messageId),
    waitFor(messageId, timeoutMs, signal) {
      const live = streams.get(messageId)
      if (live !== undefined || signal.aborted) return Promise.resolve(live)
      return new Promise((resolve) => {
        let waiters = awaited.get(messageId)
        if (waiters === undefined) awaited.set(messageId, (waiters = new Set()))
        const set = waiters
        const done = (stream: LiveStream | undefined) => {
          clearTimeout(timer)
          signal.removeEventListener('abort', onAbort)
          set.delete(done)
          if (set.size === 0 && awaited.get(messageId) === set) awaited.delete(messageId)
          resolve(stream)
        }
        const onAbort = () => done(undefined)
        const timer = setTimeout(onAbort, timeoutMs)
        signal.addEventListener('abort', onAbort, { once: true })
        set.add(done)
      })
    },
    release(messageId) {
      streams.delete(messageId)
    },
    live: () => streams.values(),

    publish(userId, event) {
      // Only users who have (or recently had) a feed open keep a buffer: events for anyone
      // else have no reader, and must not pile up in memory.
      const channel = channels.get(userId)
      if (channel === undefined) return
      channel.touchedAt = Date.now()
      channel.buffer.push({ id: `${boot}-${++counter}`, event })
      if (channel.buffer.length > BUFFERED_EVENTS) channel.buffer.shift()
      for (const wake of channel.waiters) wake()
    },

    async *subscribe(userId, lastEventId, signal) {
      const channel = channelOf(userId)
      let cursor = channel.buffer.length
      if (lastEventId) {
        const [eventBoot, n] = lastEventId.split('-')
        if (eventBoot === boot && n !== undefined) {
          const after = Number(n)
          // Replay what is still buffered after the client's last event.
          cursor = channel.buffer.findIndex((e) => Number(e.id.split('-')[1]) > after)
          if (cursor === -1) cursor = channel.buffer.length
        }
      }
      let wake: (() => void) | null = null
      const waiter = () => wake?.()
      const onAbort = () => wake?.()
      channel.waiters.add(waiter)
      signal.addEventListener('abort', onAbort, { once: true })
      // Ids are positions in an ever-growing sequence; the buffer only drops from its head.
      let nextId = cursor < channel.buffer.length ? idNumber(channel.buffer[cursor]) : counter + 1
      try {
        while (!signal.aborted) {
          for (const item of channel.buffer) {
            if (idNumber(item) >= nextId) {
              nextId = idNumber(item) + 1
              yield item
            }
          }
          // Closing ends every feed (after what is buffered), so a server can stop promptly.
          if (signal.aborted || closed) break
          await new Promise<void>((resolve) => {
            wake = resolve
          })
          wake = null
        }
      } finally {
        channel.waiters.delete(waiter)
        signal.removeEventListener('abort', onAbort)
        channel.touchedAt = Date.now()
      }
    },

    close() {
      closed = true
      clearInterval(sweeper)
      for (const channel of channels.values()) for (const wake of channel.waiters) wake()
    },
  }
}

function idNumber(item: TrackedUserEvent | undefined): number {
  return item === undefined ? Number.POSITIVE_INFINITY : Number(item.id.split('-')[1])
}
