import { randomUUID } from 'node:crypto'
import type { Conversation, Message, Model } from '@t3chat/client'
import { followAnswer, FollowAborted } from '../answer/follow-answer'
import type { Session } from '../connect/session'
import { explainError, isNetworkError } from '../errors'
import { Conversations } from './conversations'
import { parseInput, SLASH_HELP, type SlashCommand } from './slash'
import { initialState, type ChatState, type Entry } from './state'
import { Store } from './store'
import {
  advanceLive,
  entryId,
  finishLive,
  headerEntry,
  isUnfinished,
  messageEntries,
  newLive,
} from './transcript'

/** Options of {@link ChatController}. */
export interface ControllerOptions {
  session: Session
  /** Model for new answers (`--model`). */
  model?: string | null
  /** Conversation to open first (`--conversation`); otherwise the list comes first. */
  conversation?: string | null
  /** Called once when the user quits. */
  onExit?: () => void
  /** Messages per history page. Default 30. */
  pageSize?: number
  /** Called right before a conversation is printed anew (the terminal clears its screen). */
  beforeReprint?: () => void
}

/**
 * The interactive chat's state and actions, independent of React: the UI renders
 * `store` and calls the methods. Every server call goes through the session's client.
 */
export class ChatController {
  readonly store = new Store<ChatState>(initialState)
  /** The visible history of the open conversation, ascending (the live answer excluded). */
  private messages: Message[] = []
  private follow: AbortController | null = null
  private events: { unsubscribe(): void } | null = null
  private lastEventId: string | null = null
  private models: Model[] | null = null
  private disposed = false
  readonly conversations: Conversations

  constructor(private readonly opts: ControllerOptions) {
    this.conversations = new Conversations(opts.session.client, this.store)
    this.store.set({ model: opts.model ?? null })
  }

  private get client() {
    return this.opts.session.client
  }

  private get pageSize() {
    return this.opts.pageSize ?? 30
  }

  /** Subscribes to the change feed and shows the first screen. */
  async start(): Promise<void> {
    this.subscribeEvents()
    const notice = this.opts.session.notice
    if (notice) this.append({ kind: 'notice', id: entryId(), tone: 'warn', text: notice })
    try {
      if (this.opts.conversation) {
        await this.open(this.opts.conversation)
        return
      }
      await this.conversations.load()
      if (this.store.get().list.items.length === 0) this.newConversation()
      else this.store.set({ screen: 'list' })
    } catch (error) {
      this.store.set({ fatal: explainLine(error, this.opts.session.url) })
    }
  }

  /** Handles one submitted input line: a message or a slash command. */
  async submit(raw: string): Promise<void> {
    const parsed = parseInput(raw)
    if (parsed.kind === 'invalid') return this.notice('error', parsed.error)
    if (parsed.kind === 'command') return this.run(parsed.command)
    if (parsed.text.trim() === '') return
    return this.send(parsed.text)
  }

  /** Runs a slash command. */
  async run(command: SlashCommand): Promise<void> {
    try {
      switch (command.name) {
        case 'new':
          return this.newConversation()
        case 'list':
          return await this.showList()
        case 'open':
          return await this.open(command.ref)
        case 'model':
          return await this.chooseModel(command.query, 'model')
        case 'system':
          return await this.system(command)
        case 'title':
          return await this.rename(command.text)
        case 'retry':
          return command.model === null
            ? await this.retry(null)
            : await this.chooseModel(command.model, 'retry')
        case 'delete':
          return this.askDelete()
        case 'more':
          return await this.loadEarlier()
        case 'help':
          return this.notice(
            'info',
            SLASH_HELP.map(([usage, what]) => `${usage.padEnd(22)}${what}`).join('\n'),
          )
        case 'quit':
          return this.quit()
      }
    } catch (error) {
      this.fail(error)
    }
  }

  /** Sends a message in the open conversation (creating it on the first message). */
  async send(text: string): Promise<void> {
    const state = this.store.get()
    if (state.live)
      return this.notice(
        'warn',
        'An answer is still streaming: wait for it, or press Ctrl-C to stop it.',
      )
    const conversation = state.conversation
    this.append({ kind: 'user', id: entryId(), content: text })
    // One round trip: the answer's id is chosen here and its stream followed while it is sent.
    const assistantMessageId = randomUUID()
    this.startLive(
      assistantMessageId,
      conversation?.currentModel ?? state.model ?? this.opts.session.defaultModel,
      '',
    )
    const input = {
      clientMessageId: randomUUID(),
      assistantMessageId,
      content: text,
      ...(conversation ? { conversationId: conversation.id } : {}),
      ...(!conversation && state.model ? { model: state.model } : {}),
      ...(!conversation && state.pendingSystem ? { systemPrompt: state.pendingSystem } : {}),
    }
    try {
      // The same clientMessageId makes a retried send idempotent, so a blip is safe to retry.
      const result = await withRetries(() => this.client.chat.send.mutate(input))
      this.messages.push(result.userMessage)
      this.store.set({ conversation: result.conversation, pendingSystem: null })
      this.updateLive(assistantMessageId, (live) => ({
        ...live,
        model: result.assistantMessage.model,
      }))
    } catch (error) {
      this.abandonLive()
      this.fail(error, 'Not sent')
    }
  }

  /** Ctrl-C: stops a streaming answer, closes a picker or question, else exits. */
  interrupt(): void {
    const state = this.store.get()
    if (state.picker) return this.store.set({ picker: null })
    if (state.confirm) return this.store.set({ confirm: null })
    if (state.live && !state.live.stopping) {
      void this.stop()
      return
    }
    this.quit()
  }

  /** Stops the streaming answer; the partial text is kept (`cancelled`). */
  async stop(): Promise<void> {
    const live = this.store.get().live
    if (!live || live.stopping) return
    this.store.set({ live: { ...live, stopping: true } })
    try {
      const message = await this.client.chat.stop.mutate({ messageId: live.messageId })
      // The stream normally delivers the final state; if it is cut off, use this one.
      setTimeout(() => this.finishLive(message), 3_000).unref()
    } catch (error) {
      const current = this.store.get().live
      if (current) this.store.set({ live: { ...current, stopping: false } })
      this.fail(error, 'Could not stop the answer')
    }
  }

  /** A new answer to the last message (`chat.regenerate`), optionally with another model. */
  async retry(model: string | null): Promise<void> {
    const state = this.store.get()
    if (!state.conversation)
      return this.notice('warn', 'Nothing to retry yet: send a message first.')
    if (state.live)
      return this.notice('warn', 'An answer is still streaming: stop it with Ctrl-C first.')
    this.store.set({ busy: 'Regenerating…' })
    try {
      const result = await withRetries(() =>
        this.client.chat.regenerate.mutate({
          conversationId: state.conversation?.id ?? '',
          clientMessageId: randomUUID(),
          ...(model ? { model } : {}),
        }),
      )
      // The replaced answer leaves the visible history (as it does on the server).
      const last = this.messages.at(-1)
      if (last?.role === 'assistant') this.messages.pop()
      this.notice('info', `↻ New answer${model ? ` with ${model}` : ''}`)
      this.store.set({ conversation: result.conversation, busy: null })
      this.startLive(
        result.assistantMessage.id,
        result.assistantMessage.model,
        result.assistantMessage.content,
      )
    } catch (error) {
      this.store.set({ busy: null })
      this.fail(error, 'Could not retry')
    }
  }

  /** Opens a conversation by list number, (short) id or full id. */
  async open(ref: string): Promise<void> {
    const id = await this.conversations.resolve(ref)
    this.store.set({ busy: 'Opening…' })
    const [conversation, page] = await Promise.all([
      this.client.conversation.get.query({ id }),
      this.client.message.list.query({ conversationId: id, limit: this.pageSize }),
    ]).finally(() => this.store.set({ busy: null }))
    this.abandonLive()
    const unfinished = page.items.at(-1)
    const resume =
      unfinished && unfinished.role === 'assistant' && isUnfinished(unfinished) ? unfinished : null
    this.messages = resume ? page.items.slice(0, -1) : page.items
    this.store.set({ conversation, model: null, pendingSystem: null })
    this.reprint(page.nextBefore !== null, page.items[0]?.seq ?? null)
    if (resume) this.startLive(resume.id, resume.model, resume.content)
  }

  /** An empty chat; the conversation is created by its first message. */
  newConversation(): void {
    this.abandonLive()
    this.messages = []
    this.store.set({ conversation: null, pendingSystem: null, lastAnswer: null })
    this.reprint(false, null)
  }

  /** The conversation list screen. */
  async showList(): Promise<void> {
    this.store.set({ screen: 'list', picker: null, confirm: null })
    await this.conversations.load()
  }

  /** Leaves the list for the chat view without changing conversation. */
  backToChat(): void {
    this.store.set({ screen: 'chat' })
  }

  /** Loads the previous page of history and prints the conversation again. */
  async loadEarlier(): Promise<void> {
    const state = this.store.get()
    if (!state.conversation || !state.hasEarlier || state.oldestSeq === null) {
      return this.notice('info', 'No earlier messages.')
    }
    if (state.live)
      return this.notice('warn', 'Wait for the answer to finish before loading earlier messages.')
    this.store.set({ busy: 'Loading earlier messages…' })
    const page = await this.client.message.list
      .query({
        conversationId: state.conversation.id,
        limit: this.pageSize,
        before: state.oldestSeq,
      })
      .finally(() => this.store.set({ busy: null }))
    this.messages = [...page.items, ...this.messages]
    this.reprint(page.nextBefore !== null, page.items[0]?.seq ?? state.oldestSeq)
  }

  /** `/model`: switch at once for an exact id, else open the searchable picker. */
  async chooseModel(query: string, purpose: 'model' | 'retry'): Promise<void> {
    const models = await this.loadModels()
    const exact = exactModel(models, query)
    if (exact !== null) return purpose === 'model' ? this.setModel(exact) : this.retry(exact)
    this.store.set({ picker: { query, models, purpose } })
  }

  /** The picker's choice (null: cancelled). */
  async pick(modelId: string | null): Promise<void> {
    const picker = this.store.get().picker
    this.store.set({ picker: null })
    if (!picker || modelId === null) return
    try {
      if (picker.purpose === 'model') await this.setModel(modelId)
      else await this.retry(modelId)
    } catch (error) {
      this.fail(error)
    }
  }

  /** Answers the pending yes/no question. */
  async confirm(yes: boolean): Promise<void> {
    const confirm = this.store.get().confirm
    this.store.set({ confirm: null })
    if (!confirm || !yes) return
    try {
      await this.deleteCurrent()
    } catch (error) {
      this.fail(error, 'Could not delete')
    }
  }

  /** Leaves the chat: unsubscribes, stops following (answers go on on the server). */
  quit(): void {
    if (this.store.get().exiting) return
    this.store.set({ exiting: true })
    this.dispose()
    this.opts.onExit?.()
  }

  /** Releases subscriptions and timers. */
  dispose(): void {
    this.disposed = true
    this.events?.unsubscribe()
    this.events = null
    this.follow?.abort()
    this.follow = null
  }

  // ——— internals ———

  private async setModel(model: string): Promise<void> {
    const conversation = this.store.get().conversation
    if (conversation) {
      const updated = await this.client.conversation.update.mutate({ id: conversation.id, model })
      this.store.set({ conversation: updated })
    } else {
      this.store.set({ model })
    }
    this.notice('info', `Model: ${model}`)
  }

  private async system(command: Extract<SlashCommand, { name: 'system' }>): Promise<void> {
    const conversation = this.store.get().conversation
    if (command.action === 'show') {
      const current = conversation ? conversation.systemPrompt : this.store.get().pendingSystem
      return this.notice(
        'info',
        current ? `System prompt:\n${current}` : 'No system prompt. Set one with /system <text>.',
      )
    }
    const text = command.action === 'set' ? command.text : null
    if (conversation) {
      const updated = await this.client.conversation.update.mutate({
        id: conversation.id,
        systemPrompt: text,
      })
      this.store.set({ conversation: updated })
    } else {
      this.store.set({ pendingSystem: text })
    }
    this.notice('info', text === null ? 'System prompt cleared.' : 'System prompt set.')
  }

  private async rename(title: string): Promise<void> {
    const conversation = this.store.get().conversation
    if (!conversation)
      return this.notice('warn', 'Send a message first; then the conversation can get a title.')
    const updated = await this.client.conversation.update.mutate({ id: conversation.id, title })
    this.store.set({ conversation: updated })
    this.notice('info', `Renamed to “${updated.title ?? title}”.`)
  }

  private askDelete(): void {
    const conversation = this.store.get().conversation
    if (!conversation) return this.notice('warn', 'There is no conversation to delete yet.')
    this.store.set({
      confirm: {
        question: `Delete “${conversation.title ?? 'Untitled'}” and all its messages? (y/N)`,
        action: 'delete',
      },
    })
  }

  private async deleteCurrent(): Promise<void> {
    const conversation = this.store.get().conversation
    if (!conversation) return
    await this.client.conversation.delete.mutate({ id: conversation.id })
    this.conversations.remove(conversation.id)
    this.newConversation()
    this.notice('info', `Deleted “${conversation.title ?? 'Untitled'}”.`)
  }

  private async loadModels(): Promise<Model[]> {
    this.models ??= (await this.client.model.list.query()).models
    return this.models
  }

  /** Follows an answer, showing it live; `initial` is text it already has (from history). */
  private startLive(messageId: string, model: string | null, initial: string): void {
    this.follow?.abort()
    const follow = new AbortController()
    this.follow = follow
    this.store.set({ screen: 'chat', live: newLive(messageId, model) })
    if (initial !== '') this.onLiveText(messageId, initial)
    followAnswer(this.client, messageId, {
      initialContent: initial,
      signal: follow.signal,
      onText: (_fresh, content) => this.onLiveText(messageId, content),
      onStatus: (status) => this.updateLive(messageId, (live) => ({ ...live, status })),
      onConnection: (connection) => this.updateLive(messageId, (live) => ({ ...live, connection })),
    }).then(
      (final) => this.finishLive(final),
      (error: unknown) => {
        if (error instanceof FollowAborted) return
        this.updateLive(messageId, () => null)
        this.fail(error, 'Lost the answer stream')
      },
    )
  }

  private updateLive(
    messageId: string,
    change: (live: NonNullable<ChatState['live']>) => ChatState['live'],
  ): void {
    this.store.update((state) =>
      state.live?.messageId === messageId ? { ...state, live: change(state.live) } : state,
    )
  }

  private onLiveText(messageId: string, content: string): void {
    this.store.update((state) => {
      if (!state.live || state.live.messageId !== messageId) return state
      const { live, entry } = advanceLive(state.live, content)
      return { ...state, live, entries: entry ? [...state.entries, entry] : state.entries }
    })
  }

  private finishLive(message: Message): void {
    const state = this.store.get()
    if (!state.live || state.live.messageId !== message.id) return
    this.follow = null
    this.messages.push(message)
    this.store.set({
      live: null,
      entries: [...state.entries, ...finishLive(state.live, message)],
      lastAnswer: { model: message.model, usage: message.usage, status: message.status },
    })
  }

  private abandonLive(): void {
    this.follow?.abort()
    this.follow = null
    this.store.set({ live: null })
  }

  /** Prints the open conversation anew (the screen is cleared). */
  private reprint(hasEarlier: boolean, oldestSeq: number | null): void {
    if (this.store.get().epoch > 0) this.opts.beforeReprint?.()
    const state = this.store.get()
    const entries: Entry[] = [
      headerEntry(
        state.conversation,
        state.conversation?.currentModel ?? state.model ?? this.opts.session.defaultModel,
      ),
    ]
    if (hasEarlier) entries.push({ kind: 'earlier', id: entryId() })
    entries.push(...messageEntries(this.messages))
    this.store.set({
      screen: 'chat',
      epoch: state.epoch + 1,
      entries,
      hasEarlier,
      oldestSeq,
      picker: null,
      confirm: null,
    })
  }

  private subscribeEvents(): void {
    if (this.disposed) return
    this.events = this.client.events.subscribe(
      this.lastEventId ? { lastEventId: this.lastEventId } : {},
      {
        onData: ({ id, data }) => {
          this.lastEventId = id
          this.store.set({ online: 'online' })
          this.conversations.apply(data)
          const current = this.store.get().conversation
          if (data.type === 'conversation.updated' && current?.id === data.conversation.id) {
            this.store.set({ conversation: data.conversation })
          } else if (
            data.type === 'conversation.deleted' &&
            current?.id === data.conversationId &&
            !this.store.get().live
          ) {
            this.notice('warn', 'This conversation was deleted on another device.')
            this.store.set({ conversation: null })
          }
        },
        onStarted: () => this.store.set({ online: 'online' }),
        onConnectionStateChange: (state) => {
          if (state.state === 'pending') this.store.set({ online: 'online' })
          else if (state.state === 'connecting' && state.error !== null)
            this.store.set({ online: 'reconnecting' })
        },
        onError: () => {
          this.store.set({ online: 'reconnecting' })
          this.events?.unsubscribe()
          setTimeout(() => this.subscribeEvents(), 1_000).unref()
        },
      },
    )
  }

  private append(entry: Entry): void {
    this.store.update((state) => ({ ...state, entries: [...state.entries, entry] }))
  }

  private notice(tone: 'info' | 'warn' | 'error', text: string, hint: string | null = null): void {
    this.append({ kind: 'notice', id: entryId(), tone, text, hint })
  }

  private fail(error: unknown, prefix?: string): void {
    const explained = explainError(error, { url: this.opts.session.url })
    this.notice(
      'error',
      prefix ? `${prefix}: ${explained.message}` : explained.message,
      explained.hint,
    )
  }
}

/** Finds the model a query names exactly (variants such as `:nitro` or fake params included). */
function exactModel(models: readonly Model[], query: string): string | null {
  const q = query.trim()
  if (q === '') return null
  if (models.some((model) => model.id === q)) return q
  const colon = q.indexOf(':')
  if (colon > 0 && models.some((model) => model.id === q.slice(0, colon))) return q
  return null
}

async function withRetries<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (error) {
      if (attempt >= attempts || !isNetworkError(error)) throw error
      await new Promise((resolve) => setTimeout(resolve, 300 * attempt))
    }
  }
}

function explainLine(error: unknown, url: string): string {
  const explained = explainError(error, { url })
  return explained.hint ? `${explained.message}. ${explained.hint}` : explained.message
}

export type { Conversation }
