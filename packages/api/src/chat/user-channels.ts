/**
 * User events kept in this process's memory: a short buffer per user with a feed open, ids
 * `<boot>-<n>` so an id from before a restart is followed from live, not replayed wrongly.
 * Used by the in-process hub.
 */
import { randomUUID } from 'node:crypto'
import type { UserEvent } from '../shapes'
import type { TrackedUserEvent } from './hub'

interface UserChannel {
  /** The last few events, for a client that reconnects. */
  buffer: TrackedUserEvent[]
  waiters: Set<() => void>
  touchedAt: number
}

const BUFFERED_EVENTS = 200
/** How long a closed feed's buffer waits for its client to reconnect. */
const IDLE_CHANNEL_MS = 2 * 60_000

export interface UserChannels {
  publish(userId: string, event: UserEvent): void
  subscribe(
    userId: string,
    lastEventId: string | null,
    signal: AbortSignal,
  ): Promise<AsyncIterable<TrackedUserEvent>>
  /** Feeds currently open. */
  readers(): number
  close(): void
}

export function createUserChannels(): UserChannels {
  const channels = new Map<string, UserChannel>()
  // Event ids carry a boot id: an id from before a restart cannot be replayed, only followed.
  const boot = randomUUID().slice(0, 8)
  let counter = 0
  let closed = false
  let readers = 0

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

    subscribe(userId, lastEventId, signal) {
      // Registered now (not at the first `next()`), so nothing published after this returns
      // can be missed.
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
      let attached = true
      const detach = () => {
        if (!attached) return
        attached = false
        readers--
        channel.waiters.delete(waiter)
        signal.removeEventListener('abort', onAbort)
        channel.touchedAt = Date.now()
      }
      // An abort wakes a waiting feed; a feed never read is detached by the abort itself.
      const onAbort = () => (wake !== null ? wake() : detach())
      channel.waiters.add(waiter)
      readers++
      signal.addEventListener('abort', onAbort, { once: true })
      // Ids are positions in an ever-growing sequence; the buffer only drops from its head.
      let nextId = cursor < channel.buffer.length ? idNumber(channel.buffer[cursor]) : counter + 1
      async function* feed(): AsyncGenerator<TrackedUserEvent> {
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
          detach()
        }
      }
      return Promise.resolve(feed())
    },

    readers: () => readers,

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
