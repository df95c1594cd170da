import type { ChatClient, ChatEvent, Message, MessageStatus } from '@t3chat/client'
import { trpcCode } from '../errors'

/** Connection state of a followed answer, for the status line. */
export type StreamConnection = 'connecting' | 'live' | 'reconnecting'

/** Options of {@link followAnswer}. */
export interface FollowOptions {
  /** Text already shown (e.g. a partial answer loaded from history): the stream resumes after it. */
  initialContent?: string
  /** New text, already de-duplicated; `content` is everything so far. */
  onText?: (text: string, content: string) => void
  onStatus?: (status: MessageStatus) => void
  onConnection?: (state: StreamConnection, error: unknown) => void
  /** Stops following (the answer itself goes on); the promise rejects with an AbortError. */
  signal?: AbortSignal
  /** Delay before resubscribing after the n-th consecutive failure. */
  retryDelayMs?: (attempt: number) => number
  /** Give up after failing this long without a single event. Default 2 minutes. */
  giveUpAfterMs?: number
}

/** Stopped following: `signal` aborted. */
export class FollowAborted extends Error {
  override name = 'AbortError'
}

const FATAL_CODES = new Set(['NOT_FOUND', 'UNAUTHORIZED', 'BAD_REQUEST', 'FORBIDDEN'])

/**
 * Follows one assistant message until its `final` event and resolves with that final message.
 *
 * Every `delta` event's id is the content length after it (API.md), so the text is exact even
 * across reconnects: overlap is trimmed, and a gap makes it resubscribe from what it has.
 * When the subscription fails (server restart, network blip) it resubscribes with
 * `lastEventId: String(content.length)` after a short backoff; the server replays what is
 * missing, or the final state of a message that finished meanwhile.
 */
export function followAnswer(
  client: ChatClient,
  messageId: string,
  opts: FollowOptions = {},
): Promise<Message> {
  const retryDelay = opts.retryDelayMs ?? ((attempt: number) => Math.min(200 * 2 ** attempt, 3_000))
  const giveUpAfterMs = opts.giveUpAfterMs ?? 120_000

  return new Promise<Message>((resolve, reject) => {
    let content = opts.initialContent ?? ''
    let subscription: { unsubscribe(): void } | null = null
    let attempt = 0
    let failingSince: number | null = null
    let timer: NodeJS.Timeout | null = null
    let settled = false

    const finish = (outcome: { message: Message } | { error: unknown }) => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      subscription?.unsubscribe()
      subscription = null
      if ('message' in outcome) resolve(outcome.message)
      else reject(outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error)))
    }
    const onAbort = () => finish({ error: new FollowAborted('stopped following the answer') })

    const retry = (error: unknown) => {
      if (settled) return
      subscription?.unsubscribe()
      subscription = null
      const code = trpcCode(error)
      if (error !== null && code !== null && FATAL_CODES.has(code)) return finish({ error })
      const now = Date.now()
      failingSince ??= now
      if (now - failingSince > giveUpAfterMs) return finish({ error })
      opts.onConnection?.('reconnecting', error)
      timer = setTimeout(subscribe, retryDelay(attempt++))
    }

    const onEvent = (id: string | undefined, event: ChatEvent) => {
      attempt = 0
      failingSince = null
      switch (event.type) {
        case 'delta': {
          const end = id === undefined ? NaN : Number(id)
          if (!Number.isInteger(end)) {
            content += event.text
            opts.onText?.(event.text, content)
            return
          }
          const start = end - event.text.length
          if (end <= content.length) return // already have it (replayed after a reconnect)
          if (start > content.length) {
            // A gap should never happen; resubscribing from what we have closes it.
            subscription?.unsubscribe()
            subscription = null
            subscribe()
            return
          }
          const fresh = event.text.slice(content.length - start)
          content += fresh
          opts.onText?.(fresh, content)
          return
        }
        case 'status':
          opts.onStatus?.(event.status)
          return
        case 'final':
          finish({ message: event.message })
      }
    }

    function subscribe() {
      timer = null
      if (settled) return
      opts.onConnection?.(attempt === 0 && content === '' ? 'connecting' : 'reconnecting', null)
      const lastEventId = content.length > 0 ? String(content.length) : undefined
      subscription = client.chat.stream.subscribe(
        { messageId, ...(lastEventId !== undefined ? { lastEventId } : {}) },
        {
          onStarted: () => opts.onConnection?.('live', null),
          onData: (tracked) => onEvent(tracked.id, tracked.data),
          onConnectionStateChange: (state) => {
            if (state.state === 'connecting' && state.error !== null) {
              opts.onConnection?.('reconnecting', state.error)
            } else if (state.state === 'pending') {
              opts.onConnection?.('live', null)
            }
          },
          onError: (error) => retry(error),
          // Ending without a final (e.g. the server went away cleanly) is a reason to ask again.
          onComplete: () => retry(null),
        },
      )
    }

    if (opts.signal?.aborted) return onAbort()
    opts.signal?.addEventListener('abort', onAbort)
    subscribe()
  })
}
