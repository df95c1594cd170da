import type { Message, MessageStatus } from '../shapes'
import type { AnswerFrame } from './hub'

/**
 * The in-memory state of one answer (used by the in-process hub and, on the owner instance,
 * by the Redis one) while it is generated: its text so far, its status and,
 * at the end, its final message. Subscribers read it at their own pace; a writer never
 * waits for them.
 *
 * Token path: `append` concatenates the text (V8 ropes make that cheap) and, at most once per
 * frame, wakes the subscribers through one shared promise — created only when someone waits.
 * So a stream nobody watches costs no allocation beyond its text, and a watched one costs one
 * promise per frame, not per token.
 */
export class LiveStream {
  text = ''
  status: MessageStatus = 'pending'
  final: Message | null = null
  subscribers = 0
  readonly stopListeners: (() => void)[] = []

  private wake: (() => void) | null = null
  private frame: Promise<void> | null = null
  private timer: NodeJS.Timeout | null = null
  /** Frames sent so far, and the text length at the last one. */
  private flushes = 0
  private flushedLength = 0
  private lastFlushAt = 0

  constructor(
    readonly messageId: string,
    readonly userId: string,
    readonly conversationId: string,
    /**
     * The current frame length in ms (it widens with load, see the hub); null: the owner sends
     * the frames itself ({@link flush}, on the Redis hub's clock).
     */
    private readonly frameMs: (() => number) | null,
  ) {}

  /** Appends text; subscribers see it within one frame interval. */
  append(text: string): void {
    this.text += text
    if (this.frame !== null) this.schedule()
  }

  /** Sends the next frame one frame interval after the last (on the hub's clock: never here). */
  private schedule(): void {
    if (this.frameMs === null || this.timer !== null) return
    const wait = this.lastFlushAt + this.frameMs() - performance.now()
    if (wait <= 0) this.flush()
    else this.timer = setTimeout(this.flush, wait)
  }

  setStatus(status: MessageStatus): void {
    this.status = status
    this.flush()
  }

  finish(message: Message): void {
    this.final = message
    this.status = message.status
    this.flush()
  }

  /**
   * Frames for a follower at `offset`: the current status, ONE text frame with everything
   * after its offset per turn (so frames coalesce by themselves when the follower is slower
   * than the model), status changes, and at the end the final message. The whole text is in
   * memory, so a late follower reads its backlog from the same place as the live text.
   */
  async *frames(offset: number, signal: AbortSignal): AsyncGenerator<AnswerFrame> {
    let sentStatus: MessageStatus | null = null
    this.subscribers++
    try {
      while (!signal.aborted) {
        const seen = this.flushes
        const final = this.final
        if (final === null && this.status !== sentStatus) {
          sentStatus = this.status
          yield { type: 'status', status: sentStatus }
        }
        const text = this.text
        if (text.length > offset) {
          yield { type: 'text', offset, text: text.slice(offset) }
          offset = text.length
        }
        if (final !== null) {
          yield { type: 'final', message: final }
          return
        }
        // A frame sent while this follower was away (its consumer still writing the last one)
        // is read now, as if it had waited for it; otherwise it waits for the next.
        if (this.flushes !== seen) continue
        await this.nextFrame(signal)
      }
    } finally {
      this.subscribers--
    }
  }

  /**
   * The next frame, or the abort. Not `Promise.race` against one long-lived "aborted" promise:
   * each race leaves a reaction on a promise that never settles, so a live subscription grew by
   * ~400 bytes per frame until its answer ended.
   */
  private nextFrame(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve()
      const done = () => {
        signal.removeEventListener('abort', done)
        resolve()
      }
      signal.addEventListener('abort', done, { once: true })
      void this.next().then(done)
    })
  }

  /** Resolves at the next frame (or at once when the stream has already ended). */
  next(): Promise<void> {
    if (this.final !== null) return Promise.resolve()
    if (this.frame !== null) return this.frame
    const frame = new Promise<void>((resolve) => {
      this.wake = resolve
    })
    this.frame = frame
    // Text appended while nobody waited has no frame coming yet (this may send it at once).
    if (this.text.length > this.flushedLength) this.schedule()
    return frame
  }

  /** Sends a frame now: waiting subscribers read everything new. */
  readonly flush = (): void => {
    if (this.timer !== null) {
      clearTimeout(this.timer)
      this.timer = null
    }
    this.lastFlushAt = performance.now()
    this.flushes++
    this.flushedLength = this.text.length
    const wake = this.wake
    this.wake = null
    this.frame = null
    wake?.()
  }
}
