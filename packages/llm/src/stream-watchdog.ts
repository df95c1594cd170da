/**
 * First-token and idle timeouts of one stream, with a single lazily re-armed timer: `touch()`
 * on every chunk only stores a timestamp, and the timer, when it fires, either trips or
 * re-arms itself for the remaining time. So a stream costs about one timer per timeout
 * period instead of one per token.
 */
export class StreamWatchdog {
  /** Which timeout tripped, or null while none has. */
  tripped: 'first-token' | 'idle' | null = null
  private readonly startedAt = Date.now()
  private lastChunkAt = 0
  private started = false
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly firstTokenMs: number,
    private readonly idleMs: number,
    private readonly onTrip: () => void,
  ) {
    this.timer = setTimeout(this.check, firstTokenMs)
  }

  /** A chunk arrived (cheap: called per token). */
  touch(now: number): void {
    this.lastChunkAt = now
  }

  /** The first text delta arrived: from now on only the idle timeout applies. */
  firstToken(now: number): void {
    this.started = true
    this.lastChunkAt = now
    // Once per stream: the pending timer was set for the first-token deadline.
    clearTimeout(this.timer)
    this.timer = setTimeout(this.check, this.idleMs)
  }

  stop(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private readonly check = (): void => {
    this.timer = undefined
    const now = Date.now()
    const deadline = this.started
      ? this.lastChunkAt + this.idleMs
      : this.startedAt + this.firstTokenMs
    if (now < deadline) {
      this.timer = setTimeout(this.check, deadline - now)
      return
    }
    this.tripped = this.started ? 'idle' : 'first-token'
    this.onTrip()
  }
}
