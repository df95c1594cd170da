import { tracked, type TrackedEnvelope } from '@trpc/server'
import type { ChatEvent, Message, MessageStatus } from '../shapes'
import type { LiveStream } from './live-stream'

/** A chat event with its tracked id: the content length once the event is applied. */
export type TrackedChatEvent = TrackedEnvelope<ChatEvent>

/** `lastEventId` → how many UTF-16 units of content the client already has. */
export function parseOffset(lastEventId: string | null | undefined): number {
  if (!lastEventId) return 0
  const offset = Number(lastEventId)
  return Number.isSafeInteger(offset) && offset > 0 ? offset : 0
}

const isFinal = (status: MessageStatus) =>
  status === 'completed' || status === 'error' || status === 'cancelled'

/**
 * Follows an answer generated on this instance. Each turn of the loop sends what changed
 * since the subscriber's last frame: the status, then ONE delta with all text after its
 * offset (so deltas coalesce by themselves when the client is slower than the model), and at
 * the end the final message. The whole text is in memory, so a subscriber that arrives or
 * resumes late reads its backlog from the same place as the live text: no gap, no duplicate.
 */
export async function* followLive(
  live: LiveStream,
  offset: number,
  signal: AbortSignal,
): AsyncGenerator<TrackedChatEvent> {
  let sentStatus: MessageStatus | null = null
  live.subscribers++
  try {
    while (!signal.aborted) {
      const final = live.final
      if (final === null && live.status !== sentStatus) {
        sentStatus = live.status
        yield tracked<ChatEvent>(String(offset), { type: 'status', status: sentStatus })
      }
      const text = live.text
      if (text.length > offset) {
        const delta = text.slice(offset)
        offset = text.length
        yield tracked<ChatEvent>(String(offset), { type: 'delta', text: delta })
      }
      if (final !== null) {
        yield tracked<ChatEvent>(String(final.content.length), { type: 'final', message: final })
        return
      }
      await nextFrame(live, signal)
    }
  } finally {
    live.subscribers--
  }
}

/**
 * The next frame, or the abort. Not `Promise.race` against one long-lived "aborted" promise:
 * each race leaves a reaction on a promise that never settles, so a live subscription grew by
 * ~400 bytes per frame until its answer ended.
 */
function nextFrame(live: LiveStream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
    void live.next().then(done)
  })
}

const POLL_MS = 1_000

/**
 * Follows an answer this instance does not carry: a finished one sends its final state and
 * ends; one still generating elsewhere is polled from its checkpoints until it ends.
 */
export async function* followDatabase(
  source: { load(): Promise<Message | undefined> },
  first: Message,
  offset: number,
  signal: AbortSignal,
): AsyncGenerator<TrackedChatEvent> {
  let message: Message | undefined = first
  let sentStatus: MessageStatus | null = null
  while (message !== undefined && !signal.aborted) {
    if (isFinal(message.status)) {
      yield tracked<ChatEvent>(String(message.content.length), { type: 'final', message })
      return
    }
    if (message.status !== sentStatus) {
      sentStatus = message.status
      yield tracked<ChatEvent>(String(offset), { type: 'status', status: sentStatus })
    }
    if (message.content.length > offset) {
      const delta = message.content.slice(offset)
      offset = message.content.length
      yield tracked<ChatEvent>(String(offset), { type: 'delta', text: delta })
    }
    await sleep(POLL_MS, signal)
    message = await source.load()
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
