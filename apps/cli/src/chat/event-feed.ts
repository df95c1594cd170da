import type { ChatClient, UserEvent } from '@t3chat/client'
import type { ChatState } from './state'
import type { Store } from './store'

/**
 * The user's change feed (`events`): new titles, conversations changed or deleted on any
 * device. Tracks the server's reachability for the status line and resubscribes from the
 * last event id after a failure.
 */
export class EventFeed {
  private subscription: { unsubscribe(): void } | null = null
  private lastEventId: string | null = null
  private stopped = false

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
        onStarted: () => this.store.set({ online: 'online' }),
        onData: ({ id, data }) => {
          this.lastEventId = id
          this.store.set({ online: 'online' })
          this.onEvent(data)
        },
        onConnectionStateChange: (state) => {
          if (state.state === 'pending') this.store.set({ online: 'online' })
          else if (state.state === 'connecting' && state.error !== null) {
            this.store.set({ online: 'reconnecting' })
          }
        },
        onError: () => {
          this.store.set({ online: 'reconnecting' })
          this.subscription?.unsubscribe()
          setTimeout(() => this.start(), 1_000).unref()
        },
      },
    )
  }

  stop(): void {
    this.stopped = true
    this.subscription?.unsubscribe()
    this.subscription = null
  }
}
