import type { ChatClient, UserEvent } from '@t3chat/client'
import type { ChatState } from './state'
import type { Store } from './store'

/** After this long without getting the feed back, the status line says offline. */
const OFFLINE_AFTER_MS = 5_000

/**
 * The user's change feed (`events`): new titles, conversations changed or deleted on any
 * device. Tracks the server's reachability for the status line (online, reconnecting,
 * offline after a while or a failed request, online again when the feed is back) and
 * resubscribes from the last event id after a failure.
 */
export class EventFeed {
  private subscription: { unsubscribe(): void } | null = null
  private lastEventId: string | null = null
  private stopped = false
  private offlineTimer: NodeJS.Timeout | null = null

  constructor(
    private readonly client: ChatClient,
    private readonly store: Store<ChatState>,
    private readonly onEvent: (event: UserEvent) => void,
  ) {}

  start(): void {
    if (this.stopped) return
    this.subscription = this.client.events.subscribe(
      this.lastEventId !== null ? { lastEventId: this.lastEventId } : {},
      {
        onStarted: () => this.online(),
        onData: ({ id, data }) => {
          this.lastEventId = id
          this.online()
          this.onEvent(data)
        },
        onConnectionStateChange: (state) => {
          if (state.state === 'pending') this.online()
          else if (state.state === 'connecting' && state.error !== null) this.lost()
        },
        onError: () => this.restart(),
        // The server ends its feeds when it shuts down: that is not "online" any more.
        onComplete: () => this.restart(),
      },
    )
  }

  /** A request failed for want of the server: offline until the feed is back. */
  unreachable(): void {
    if (this.stopped) return
    this.clearTimer()
    this.store.set({ online: 'offline' })
  }

  private restart(): void {
    if (this.stopped) return
    this.lost()
    this.subscription?.unsubscribe()
    setTimeout(() => this.start(), 1_000).unref()
  }

  private online(): void {
    this.clearTimer()
    this.store.set({ online: 'online' })
  }

  private lost(): void {
    if (this.store.get().online === 'offline' || this.offlineTimer !== null) return
    this.store.set({ online: 'reconnecting' })
    this.offlineTimer = setTimeout(() => this.unreachable(), OFFLINE_AFTER_MS)
    this.offlineTimer.unref()
  }

  private clearTimer(): void {
    if (this.offlineTimer !== null) clearTimeout(this.offlineTimer)
    this.offlineTimer = null
  }

  stop(): void {
    this.clearTimer()
    this.stopped = true
    this.subscription?.unsubscribe()
    this.subscription = null
  }
}
