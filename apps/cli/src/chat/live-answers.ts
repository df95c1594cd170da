import type { ChatClient, Message } from '@t3chat/client'
import { followAnswer, FollowAborted } from '../answer/follow-answer'
import type { ChatState, LiveAnswer } from './state'
import type { Store } from './store'
import { advanceLive, finishLive, newLive } from './transcript'
import { paceUpdates } from '../answer/pace'

/**
 * The answer streaming into the chat view: follows it (resuming across reconnects), moves
 * finished markdown blocks into the transcript, and closes it with its final state.
 */
export class LiveAnswers {
  private follow: AbortController | null = null
  /** Text arrives per token; the view takes it once per frame. */
  private readonly paced = paceUpdates((update: { messageId: string; content: string }) =>
    this.applyText(update),
  )

  constructor(
    private readonly client: ChatClient,
    private readonly store: Store<ChatState>,
    private readonly on: { final: (message: Message) => void; lost: (error: unknown) => void },
  ) {}

  /** Shows and follows an answer; `initial` is text already known (a partial from history). */
  start(messageId: string, model: string | null, initial: string): void {
    this.follow?.abort()
    this.paced.cancel()
    const follow = new AbortController()
    this.follow = follow
    this.store.set({ screen: 'chat', live: newLive(messageId, model) })
    if (initial !== '') this.text(messageId, initial)
    followAnswer(this.client, messageId, {
      initialContent: initial,
      signal: follow.signal,
      onText: (_fresh, content) => this.text(messageId, content),
      onStatus: (status) => this.update(messageId, (live) => ({ ...live, status })),
      onConnection: (connection) => this.update(messageId, (live) => ({ ...live, connection })),
    }).then(
      (final) => this.finish(final),
      (error: unknown) => {
        if (error instanceof FollowAborted) return
        this.update(messageId, () => null)
        this.on.lost(error)
      },
    )
  }

  /** Changes the live answer, if `messageId` is still the one shown. */
  update(messageId: string, change: (live: LiveAnswer) => LiveAnswer | null): void {
    this.store.update((state) =>
      state.live?.messageId === messageId ? { ...state, live: change(state.live) } : state,
    )
  }

  /** Asks the server to stop the answer; the partial text is kept (`cancelled`). */
  async stop(): Promise<void> {
    const live = this.store.get().live
    if (!live || live.stopping) return
    this.update(live.messageId, (current) => ({ ...current, stopping: true }))
    try {
      const message = await this.client.chat.stop.mutate({ messageId: live.messageId })
      // The stream normally delivers the final state; if it was cut off, this one closes it.
      setTimeout(() => this.finish(message), 3_000).unref()
    } catch (error) {
      this.update(live.messageId, (current) => ({ ...current, stopping: false }))
      throw error
    }
  }

  /** Stops showing the answer (it goes on on the server). */
  abandon(): void {
    this.paced.cancel()
    this.follow?.abort()
    this.follow = null
    this.store.set({ live: null })
  }

  dispose(): void {
    this.paced.cancel()
    this.follow?.abort()
    this.follow = null
  }

  private text(messageId: string, content: string): void {
    this.paced.push({ messageId, content })
  }

  private applyText({ messageId, content }: { messageId: string; content: string }): void {
    this.store.update((state) => {
      if (!state.live || state.live.messageId !== messageId) return state
      const { live, entry } = advanceLive(state.live, content)
      return { ...state, live, entries: entry ? [...state.entries, entry] : state.entries }
    })
  }

  private finish(message: Message): void {
    this.paced.cancel()
    const state = this.store.get()
    if (!state.live || state.live.messageId !== message.id) return
    this.follow = null
    this.store.set({
      live: null,
      entries: [...state.entries, ...finishLive(state.live, message)],
      lastAnswer: { model: message.model, usage: message.usage, status: message.status },
    })
    this.on.final(message)
  }
}
