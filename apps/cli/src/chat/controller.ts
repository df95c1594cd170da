import { randomUUID } from 'node:crypto'
import type { Message, Model, UserEvent } from '@t3chat/client'
import type { Session } from '../connect/session'
import { explainError, explainLine, isNetworkError } from '../errors'
import { editLast, forkHere, stepBranch, type BranchHost } from './branching'
import { Conversations } from './conversations'
import { EventFeed } from './event-feed'
import { LiveAnswers } from './live-answers'
import type { Role } from '../config/file'
import { copyCodeBlock } from './copy'
import {
  exactModel,
  rename,
  setModel,
  systemPrompt,
  useRole,
  type SettingsContext,
} from './settings'
import { parseInput, SLASH_HELP, type SlashCommand } from './slash'
import { usageNotice } from './usage-notice'
import { initialState, type ChatState, type Entry } from './state'
import { Store } from './store'
import { entryId, headerEntry, isUnfinished, messageEntries } from './transcript'

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
  /** Roles of the config file, for `/role`. */
  roles?: Readonly<Record<string, Role>>
  /** Writes an escape sequence to the terminal (`/copy`'s OSC 52). Default: stdout. */
  writeTerminal?: (data: string) => void
}

/**
 * The interactive chat's state and actions, independent of React: the UI renders `store`
 * and calls the methods. Every server call goes through the session's typed client.
 */
export class ChatController {
  readonly store = new Store<ChatState>(initialState)
  readonly conversations: Conversations
  /** The visible history of the open conversation, ascending (the live answer excluded). */
  private messages: Message[] = []
  private models: Model[] | null = null
  private readonly live: LiveAnswers
  private readonly feed: EventFeed
  private readonly settings: SettingsContext

  constructor(private readonly opts: ControllerOptions) {
    const client = opts.session.client
    this.conversations = new Conversations(client, this.store)
    this.live = new LiveAnswers(client, this.store, {
      final: (message) => this.messages.push(message),
      lost: (error) => this.fail(error, 'Lost the answer stream'),
    })
    this.feed = new EventFeed(client, this.store, (event) => this.onEvent(event))
    this.settings = { client, store: this.store, notice: (tone, text) => this.notice(tone, text) }
    this.store.set({ model: opts.model ?? null })
  }

  private get client() {
    return this.opts.session.client
  }

  /** Subscribes to the change feed and shows the first screen. */
  async start(): Promise<void> {
    this.feed.start()
    try {
      if (this.opts.conversation) return await this.open(this.opts.conversation)
      await this.conversations.load()
      if (this.store.get().list.items.length === 0) this.newConversation()
      else this.store.set({ screen: 'list' })
    } catch (error) {
      this.store.set({ fatal: explainLine(explainError(error, { url: this.opts.session.url })) })
    }
  }

  /** Handles one submitted input: a message or a slash command. */
  async submit(raw: string): Promise<void> {
    const parsed = parseInput(raw)
    if (parsed.kind === 'invalid') return this.notice('error', parsed.error)
    if (parsed.kind === 'command') return this.run(parsed.command)
    if (parsed.text.trim() !== '') await this.send(parsed.text)
  }

  /** Runs a slash command; failures become a notice in plain words. */
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
          return await systemPrompt(this.settings, command)
        case 'title':
          return await rename(this.settings, command.text)
        case 'retry':
          return command.model === null
            ? await this.retry(null)
            : await this.chooseModel(command.model, 'retry')
        case 'role':
          return await useRole(this.settings, this.opts.roles ?? {}, command.role)
        case 'copy':
          return copyCodeBlock(this.messages, command.index, {
            write: this.opts.writeTerminal ?? ((data) => void process.stdout.write(data)),
            notice: (tone, text) => this.notice(tone, text),
          })
        case 'edit':
          return await editLast(this.branchHost(), command.text)
        case 'branch':
          return await stepBranch(this.branchHost(), command.direction)
        case 'fork':
          return await forkHere(this.branchHost())
        case 'delete':
          return this.askDelete()
        case 'more':
          return await this.loadEarlier()
        case 'usage':
          return this.notice('info', await usageNotice(this.opts.session.client))
        case 'help':
          return this.notice(
            'info',
            SLASH_HELP.map(([u, what]) => `${u.padEnd(22)}${what}`).join('\n'),
          )
        case 'quit':
          return this.quit()
      }
    } catch (error) {
      this.fail(error)
    }
  }

  /** Sends a message in the open conversation (the first message creates it). */
  async send(text: string): Promise<void> {
    const state = this.store.get()
    if (state.live) {
      return this.notice(
        'warn',
        'An answer is still streaming: wait for it, or press Ctrl-C to stop it.',
      )
    }
    const conversation = state.conversation
    this.append({ kind: 'user', id: entryId(), content: text })
    // One round trip: the answer's id is chosen here and its stream followed while it is sent.
    const assistantMessageId = randomUUID()
    const model = conversation?.currentModel ?? state.model ?? this.opts.session.defaultModel
    this.live.start(assistantMessageId, model, '')
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
      this.live.update(assistantMessageId, (live) => ({
        ...live,
        model: result.assistantMessage.model,
      }))
    } catch (error) {
      this.live.abandon()
      this.fail(error, 'Not sent')
    }
  }

  /** Ctrl-C: stops a streaming answer, closes a picker or question; when idle, exits. */
  interrupt(): void {
    const state = this.store.get()
    if (state.picker) return this.store.set({ picker: null })
    if (state.confirm) return this.store.set({ confirm: null })
    if (state.live && !state.live.stopping) {
      this.live.stop().catch((error: unknown) => this.fail(error, 'Could not stop the answer'))
      return
    }
    this.quit()
  }

  /** A new answer to the last message (`chat.regenerate`), optionally with another model. */
  async retry(model: string | null): Promise<void> {
    const state = this.store.get()
    const conversation = state.conversation
    if (!conversation) return this.notice('warn', 'Nothing to retry yet: send a message first.')
    if (state.live)
      return this.notice('warn', 'An answer is still streaming: stop it with Ctrl-C first.')
    this.store.set({ busy: 'Regenerating…' })
    // One id for this /retry: a retried request after a blip is the same regeneration.
    const input = {
      conversationId: conversation.id,
      clientMessageId: randomUUID(),
      ...(model ? { model } : {}),
    }
    try {
      const { assistantMessage: answer, ...result } = await withRetries(() =>
        this.client.chat.regenerate.mutate(input),
      )
      // The replaced answer leaves the visible history (it stays on the server as a branch).
      if (this.messages.at(-1)?.role === 'assistant') this.messages.pop()
      const switched = model !== null && model !== conversation.currentModel
      const branch = `branch ${answer.branch.index}/${answer.branch.count}`
      this.notice(
        'info',
        `↻ New answer${model ? ` with ${model}` : ''} · ${branch}${switched ? ` (the conversation now uses ${model}; /model to change)` : ''}`,
      )
      this.store.set({ conversation: result.conversation })
      this.live.start(answer.id, answer.model, answer.content)
    } finally {
      this.store.set({ busy: null })
    }
  }

  /** Opens a conversation by list number, (short) id or full id. */
  async open(ref: string): Promise<void> {
    const id = await this.conversations.resolve(ref)
    this.store.set({ busy: 'Opening…' })
    const [conversation, page] = await Promise.all([
      this.client.conversation.get.query({ id }),
      this.client.message.list.query({ conversationId: id, limit: this.opts.pageSize ?? 30 }),
    ]).finally(() => this.store.set({ busy: null }))
    this.live.abandon()
    const last = page.items.at(-1)
    const resume = last && last.role === 'assistant' && isUnfinished(last) ? last : null
    this.messages = resume ? page.items.slice(0, -1) : page.items
    this.store.set({ conversation, pendingSystem: null, lastAnswer: null })
    this.reprint(page.nextBefore !== null, page.items[0]?.seq ?? null)
    // An answer still being written (here or on another device) streams on from where it is.
    if (resume) this.live.start(resume.id, resume.model, resume.content)
  }

  /** An empty chat; the conversation is created by its first message. */
  newConversation(): void {
    this.live.abandon()
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
    if (state.live) return this.notice('warn', 'Wait for the answer to finish first.')
    this.store.set({ busy: 'Loading earlier messages…' })
    const page = await this.client.message.list
      .query({
        conversationId: state.conversation.id,
        limit: this.opts.pageSize ?? 30,
        before: state.oldestSeq,
      })
      .finally(() => this.store.set({ busy: null }))
    this.messages = [...page.items, ...this.messages]
    this.reprint(page.nextBefore !== null, page.items[0]?.seq ?? state.oldestSeq)
  }

  /** `/model` and `/retry <model>`: an exact id acts at once, anything else opens the picker. */
  async chooseModel(query: string, purpose: 'model' | 'retry'): Promise<void> {
    this.models ??= (await this.client.model.list.query()).models
    const exact = exactModel(this.models, query)
    if (exact === null) return this.store.set({ picker: { query, models: this.models, purpose } })
    return purpose === 'model' ? setModel(this.settings, exact) : this.retry(exact)
  }

  /** The picker's choice (null: cancelled). */
  async pick(modelId: string | null): Promise<void> {
    const picker = this.store.get().picker
    this.store.set({ picker: null })
    if (!picker || modelId === null) return
    try {
      if (picker.purpose === 'model') await setModel(this.settings, modelId)
      else await this.retry(modelId)
    } catch (error) {
      this.fail(error)
    }
  }

  /** Answers the pending yes/no question (deleting the conversation). */
  async confirm(yes: boolean): Promise<void> {
    const confirm = this.store.get().confirm
    const conversation = this.store.get().conversation
    this.store.set({ confirm: null })
    if (!confirm || !yes || !conversation) return
    try {
      await this.client.conversation.delete.mutate({ id: conversation.id })
      this.conversations.remove(conversation.id)
      this.newConversation()
      this.notice('info', `Deleted “${conversation.title ?? 'Untitled'}”.`)
    } catch (error) {
      this.fail(error, 'Could not delete')
    }
  }

  /** Leaves the chat: unsubscribes and stops following (answers go on on the server). */
  quit(): void {
    if (this.store.get().exiting) return
    this.store.set({ exiting: true })
    this.dispose()
    this.opts.onExit?.()
  }

  /** Releases subscriptions and timers. */
  dispose(): void {
    this.feed.stop()
    this.live.dispose()
  }

  private branchHost(): BranchHost {
    return {
      client: this.client,
      conversation: () => this.store.get().conversation,
      path: () => this.messages,
      live: () => this.store.get().live !== null,
      open: (id) => this.open(id),
      notice: (tone, text) => this.notice(tone, text),
    }
  }

  private askDelete(): void {
    const conversation = this.store.get().conversation
    if (!conversation) return this.notice('warn', 'There is no conversation to delete yet.')
    const title = conversation.title ?? 'Untitled'
    this.store.set({
      confirm: { question: `Delete “${title}” and all its messages? (y/N)`, action: 'delete' },
    })
  }

  /** Prints the open conversation anew (the terminal clears its screen first). */
  private reprint(hasEarlier: boolean, oldestSeq: number | null): void {
    if (this.store.get().epoch > 0) this.opts.beforeReprint?.()
    const state = this.store.get()
    const model = state.conversation?.currentModel ?? state.model ?? this.opts.session.defaultModel
    const entries: Entry[] = [headerEntry(state.conversation, model, this.opts.session.notice)]
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

  private onEvent(event: UserEvent): void {
    this.conversations.apply(event)
    const state = this.store.get()
    const current = state.conversation
    if (event.type === 'conversation.updated' && current?.id === event.conversation.id) {
      this.store.set({ conversation: event.conversation })
    } else if (event.type === 'conversation.deleted' && current?.id === event.conversationId) {
      this.live.abandon()
      this.messages = []
      this.store.set({ conversation: null })
      this.notice(
        'warn',
        'This conversation was deleted on another device; a new message starts a new one.',
      )
    }
  }

  private append(entry: Entry): void {
    this.store.update((state) => ({ ...state, entries: [...state.entries, entry] }))
  }

  private notice(tone: 'info' | 'warn' | 'error', text: string, hint: string | null = null): void {
    this.append({ kind: 'notice', id: entryId(), tone, text, hint })
  }

  private fail(error: unknown, prefix?: string): void {
    if (isNetworkError(error)) this.feed.unreachable()
    const explained = explainError(error, { url: this.opts.session.url })
    const text = prefix ? `${prefix}: ${explained.message}` : explained.message
    this.notice('error', text, explained.hint)
  }
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
