/**
 * ONE blocking reader per instance: a dedicated Redis connection that follows every stream
 * this instance's subscribers watch (answers and user events) with a single XREAD. A new
 * listener wakes the blocked read (CLIENT UNBLOCK) so it is included at once. Each listener
 * keeps its own position; the read starts from the lowest, and each gets only what is new to it.
 */
import type { Redis } from 'ioredis'

/** A stream entry: its id and its fields as a flat [name, value, ...] list. */
export type StreamEntry = [id: string, fields: string[]]

interface Listener {
  lastId: string
  queue: StreamEntry[]
  wake: (() => void) | null
}

const BLOCK_MS = 5_000
const BATCH = 500

export interface StreamReader {
  /**
   * Entries of `key` after `fromId`, as they arrive, until `signal` aborts. Yields batches;
   * waits at most `idleMs` for the next one, then yields an empty batch (a chance to check).
   */
  listen(
    key: string,
    fromId: string,
    signal: AbortSignal,
    idleMs: number,
  ): AsyncGenerator<StreamEntry[]>
  close(): Promise<void>
}

export function createStreamReader(commands: Redis): StreamReader {
  // A blocked read serves nothing else, and must outlast Redis outages: no command timeout,
  // retried until Redis is back.
  const conn = commands.duplicate({
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    commandTimeout: undefined,
  })
  const listeners = new Map<string, Set<Listener>>()
  let connId: number | null = null
  let blocked = false
  let closed = false
  let wakeLoop: (() => void) | null = null

  const refreshId = () => {
    conn.client('ID').then(
      (id) => {
        connId = id
      },
      () => undefined,
    )
  }
  conn.on('ready', refreshId)
  // An error event without a listener would crash the process; reconnects are automatic.
  conn.on('error', () => undefined)

  let reads = 0
  function interrupt(): void {
    wakeLoop?.()
    if (!blocked || connId === null) return
    const id = connId
    const read = reads
    void commands.client('UNBLOCK', id).catch(() => undefined)
    // The UNBLOCK may overtake the XREAD it targets (two connections): try once more.
    setTimeout(() => {
      if (blocked && reads === read) void commands.client('UNBLOCK', id).catch(() => undefined)
    }, 10).unref()
  }

  const loop = (async () => {
    while (!closed) {
      if (listeners.size === 0) {
        await new Promise<void>((resolve) => (wakeLoop = resolve))
        wakeLoop = null
        continue
      }
      const keys = [...listeners.keys()]
      const ids = keys.map((key) => lowestId(listeners.get(key)))
      let result: [string, StreamEntry[]][] | null
      blocked = true
      reads++
      try {
        result = await conn.xread('COUNT', BATCH, 'BLOCK', BLOCK_MS, 'STREAMS', ...keys, ...ids)
      } catch {
        if (!closed) await new Promise((resolve) => setTimeout(resolve, 200))
        continue
      } finally {
        blocked = false
      }
      for (const [key, entries] of result ?? []) {
        for (const listener of listeners.get(key) ?? []) {
          const fresh = entries.filter(([id]) => compareIds(id, listener.lastId) > 0)
          if (fresh.length === 0) continue
          listener.queue.push(...fresh)
          listener.lastId = fresh[fresh.length - 1]?.[0] ?? listener.lastId
          listener.wake?.()
        }
      }
    }
  })()

  return {
    listen(key, fromId, signal, idleMs) {
      // Registered now, not at the first `next()`: nothing after `fromId` can be missed.
      const listener: Listener = { lastId: fromId, queue: [], wake: null }
      let set = listeners.get(key)
      if (set === undefined) listeners.set(key, (set = new Set()))
      const own = set
      own.add(listener)
      interrupt()
      const detach = () => {
        own.delete(listener)
        if (own.size === 0 && listeners.get(key) === own) listeners.delete(key)
      }
      const onAbort = () => (listener.wake !== null ? listener.wake() : detach())
      signal.addEventListener('abort', onAbort, { once: true })
      async function* batches(): AsyncGenerator<StreamEntry[]> {
        try {
          while (!signal.aborted && !closed) {
            if (listener.queue.length === 0) {
              await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, idleMs)
                listener.wake = () => {
                  clearTimeout(timer)
                  resolve()
                }
              })
              listener.wake = null
            }
            if (signal.aborted) return
            yield listener.queue.splice(0)
          }
        } finally {
          signal.removeEventListener('abort', onAbort)
          detach()
        }
      }
      return batches()
    },

    async close() {
      closed = true
      interrupt()
      for (const set of listeners.values()) for (const l of set) l.wake?.()
      conn.disconnect()
      await loop
    },
  }
}

function lowestId(set: Set<Listener> | undefined): string {
  let low: string | null = null
  for (const { lastId } of set ?? []) if (low === null || compareIds(lastId, low) < 0) low = lastId
  return low ?? '0-0'
}

/** Orders stream ids (`<ms>-<seq>`). */
export function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-')
  const [bm = '0', bs = '0'] = b.split('-')
  const ms = BigInt(am) - BigInt(bm)
  if (ms !== 0n) return ms > 0n ? 1 : -1
  const seq = BigInt(as) - BigInt(bs)
  return seq === 0n ? 0 : seq > 0n ? 1 : -1
}
