/**
 * One clock for the frames of every live answer an instance owns: items marked during an
 * interval are handed over together when it ends. Ticks fall on multiples of `intervalMs` of
 * wall-clock time, so every instance ticks at about the same moments — a follower elsewhere,
 * reading many answers with one XREAD, gets a whole tick in one reply. No timer runs while
 * nothing is marked.
 */
export interface Ticker<T> {
  /** `item` has something to send at the next tick. */
  mark(item: T): void
  /** Whether `item` is marked for the next tick. */
  has(item: T): boolean
  /** `item` has nothing more to send (it ended). */
  forget(item: T): void
  close(): void
}

export function createTicker<T>(intervalMs: number, onTick: (items: T[]) => void): Ticker<T> {
  const marked = new Set<T>()
  let timer: NodeJS.Timeout | null = null

  function tick(): void {
    timer = null
    const items = [...marked]
    marked.clear()
    onTick(items)
  }

  return {
    mark(item) {
      marked.add(item)
      if (timer === null) timer = setTimeout(tick, intervalMs - (Date.now() % intervalMs))
    },
    has: (item) => marked.has(item),
    forget(item) {
      marked.delete(item)
    },
    close() {
      if (timer !== null) clearTimeout(timer)
      timer = null
      marked.clear()
    },
  }
}
