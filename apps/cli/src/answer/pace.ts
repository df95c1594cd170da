/** How often a streaming answer is redrawn at most (about 30 frames per second). */
export const FRAME_MS = 33

/**
 * Coalesces a stream of "everything so far" updates into at most one `apply` per frame:
 * the first update is applied at once, later ones wait for the next frame and only the
 * latest is applied. `flush()` applies a pending update now (before the final state).
 */
export function paceUpdates<T>(
  apply: (value: T) => void,
  frameMs = FRAME_MS,
): { push(value: T): void; flush(): void; cancel(): void } {
  let pending: { value: T } | null = null
  let timer: NodeJS.Timeout | null = null
  let lastApplied = -Infinity
  const run = () => {
    timer = null
    if (pending === null) return
    const { value } = pending
    pending = null
    lastApplied = performance.now()
    apply(value)
  }
  return {
    push(value) {
      pending = { value }
      if (timer !== null) return
      const wait = lastApplied + frameMs - performance.now()
      if (wait <= 0) run()
      else timer = setTimeout(run, wait)
    },
    flush() {
      if (timer !== null) clearTimeout(timer)
      run()
    },
    cancel() {
      if (timer !== null) clearTimeout(timer)
      timer = null
      pending = null
    },
  }
}
