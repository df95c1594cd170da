import type { Message, Model, UserEvent } from '@t3chat/client'
import type { Session } from '../connect/session'
import { explainError, explainLine, isNetworkError } from '../errors'
import { editMessage, type BranchHost } from './branching'
import { runCommand, type CommandHost } from './commands'
import { Conversations } from './conversations'
import { EventFeed } from './event-feed'
import { LiveAnswers } from './live-answers'
import type { Role } from '../config/file'
import {
  askDelete,
  cancelEdit,
  choose,
  chooseModel,
  confirmDelete,
  pickModel,
  sideArrow,
  type DialogHost,
} from './dialogs'
import { retry, type RetryHost } from './retry'
import type { Mark, SearchHost } from './search'
import type { SettingsContext } from './settings'
import { loadPath } from './history'
import { sendMessage } from './send'
import { parseInput, type SlashCommand } from './slash'
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
export class ChatController implements CommandHost, DialogHost {
  readonly store = new Store<ChatState>(initialState)
  readonly conversations: Conversations
  /** The visible history of the open conversation, ascending (the live answer excluded). */
  private history: Message[] = []
  /** A search match marked in the printed history. */
  private mark: Mark | null = null
  readonly modelCache: { models: Model[] | null } = { models: null }
  private readonly live: LiveAnswers
  private readonly feed: EventFeed
  readonly settings: SettingsContext

  constructor(private readonly opts: ControllerOptions) {
    const client = opts.session.client
    this.conversations = new Conversations(client, this.store)
    this.live = new LiveAnswers(client, this.store, {
      final: (message) => this.history.push(message),
      lost: (error) => this.fail(error, 'Lost the answer stream'),
    })
    this.feed = new EventFeed(client, this.store, (event) => this.onEvent(event))
    this.settings = { client, store: this.store, notice: (tone, text) => this.notice(tone, text) }
    this.store.set({ model: opts.model ?? null })
    this.host = {
      client,
      store: this.store,
      conversation: () => this.store.get().conversation,
      path: () => this.history,
      live: () => this.store.get().live !== null,
      open: (id: string, mark: Mark | null = null) => this.open(id, mark),
      notice: (tone, text) => this.notice(tone, text),
      dropLastAnswer: () => {
        if (this.history.at(-1)?.role === 'assistant') this.history.pop()
      },
      follow: (answer) => this.live.start(answer.id, answer.model, answer.content),
    }
  }

  get client() {
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
    if (parsed.text.trim() === '') return
    const editing = this.store.get().editing
    if (editing === null) return this.send(parsed.text)
    this.store.set({ editing: null })
    await editMessage(this.branchHost(), editing.messageId, parsed.text).catch((error: unknown) =>
      this.fail(error, 'Not edited'),
    )
  }

  cancelEdit = () => cancelEdit(this)
  choose = (index: number | null) => choose(this, index)
  sideArrow = (direction: 'prev' | 'next') => sideArrow(this, direction)
  chooseModel = (query: string, purpose: 'model' | 'retry') => chooseModel(this, query, purpose)
  pick = (modelId: string | null) => pickModel(this, modelId)
  askDelete = () => askDelete(this)
  confirm = (yes: boolean) => confirmDelete(this, yes)

  /** Runs a slash command; failures become a notice in plain words. */
  async run(command: SlashCommand): Promise<void> {
    try {
      await runCommand(this, command)
    } catch (error) {
      this.fail(error)
    }
  }

  /** Sends a message in the open conversation (the first message creates it). */
  send(text: string): Promise<void> {
    return sendMessage(
      {
        client: this.client,
        store: this.store,
        live: this.live,
        defaultModel: this.opts.session.defaultModel,
        append: (entry) => this.append(entry),
        sent: (message) => this.history.push(message),
        notice: (tone, text) => this.notice(tone, text),
        fail: (error, prefix) => this.fail(error, prefix),
      },
      text,
    )
  }

  /** Ctrl-C: stops a streaming answer, closes a picker or question; when idle, exits. */
  interrupt(): void {
    const state = this.store.get()
    if (state.picker) return this.store.set({ picker: null })
    if (state.chooser) return this.store.set({ chooser: null })
    if (state.confirm) return this.store.set({ confirm: null })
    if (state.live && !state.live.stopping) {
      this.live.stop().catch((error: unknown) => this.fail(error, 'Could not stop the answer'))
      return
    }
    this.quit()
  }

  /** A new answer to the last message (`chat.regenerate`), optionally with another model. */
  retry(model: string | null): Promise<void> {
    return retry(this.host, model)
  }

  /**
   * Opens a conversation by list number, (short) id or full id. With a `mark` (a search
   * match), history is loaded back to that message and a line marks it.
   */
  async open(ref: string, mark: Mark | null = null): Promise<void> {
    const id = await this.conversations.resolve(ref)
    this.store.set({ busy: 'Opening…' })
    const [conversation, page] = await Promise.all([
      this.client.conversation.get.query({ id }),
      loadPath(this.client, id, this.opts.pageSize ?? 30, mark?.seq ?? null),
    ]).finally(() => this.store.set({ busy: null }))
    this.live.abandon()
    this.mark = mark
    const last = page.items.at(-1)
    const resume = last && last.role === 'assistant' && isUnfinished(last) ? last : null
    this.history = resume ? page.items.slice(0, -1) : page.items
    this.store.set({ conversation, pendingSystem: null, lastAnswer: null, editing: null })
    this.reprint(page.nextBefore !== null, page.items[0]?.seq ?? null)
    // An answer still being written (here or on another device) streams on from where it is.
    if (resume) this.live.start(resume.id, resume.model, resume.content)
  }

  /** An empty chat; the conversation is created by its first message. */
  newConversation(): void {
    this.live.abandon()
    this.history = []
    this.mark = null
    this.store.set({ conversation: null, pendingSystem: null, lastAnswer: null, editing: null })
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
    this.history = [...page.items, ...this.history]
    this.reprint(page.nextBefore !== null, page.items[0]?.seq ?? state.oldestSeq)
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

  get roles(): Readonly<Record<string, Role>> {
    return this.opts.roles ?? {}
  }

  /** The visible history of the open conversation, ascending. */
  messages(): readonly Message[] {
    return this.history
  }

  writeTerminal(data: string): void {
    if (this.opts.writeTerminal) this.opts.writeTerminal(data)
    else process.stdout.write(data)
  }

  /** What the branch, search and retry commands use of the chat. */
  private readonly host: BranchHost & SearchHost & RetryHost
  branchHost = () => this.host
  searchHost = () => this.host
  transferHost = () => ({ ...this.host, url: this.opts.session.url })

  /** Prints the open conversation anew (the terminal clears its screen first). */
  private reprint(hasEarlier: boolean, oldestSeq: number | null): void {
    if (this.store.get().epoch > 0) this.opts.beforeReprint?.()
    const state = this.store.get()
    const model = state.conversation?.currentModel ?? state.model ?? this.opts.session.defaultModel
    const entries: Entry[] = [headerEntry(state.conversation, model, this.opts.session.notice)]
    if (hasEarlier) entries.push({ kind: 'earlier', id: entryId() })
    entries.push(...messageEntries(this.history, this.mark))
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
      this.history = []
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

  notice(tone: 'info' | 'warn' | 'error', text: string, hint: string | null = null): void {
    this.append({ kind: 'notice', id: entryId(), tone, text, hint })
  }

  fail(error: unknown, prefix?: string): void {
    if (isNetworkError(error)) this.feed.unreachable()
    const explained = explainError(error, { url: this.opts.session.url })
    const text = prefix ? `${prefix}: ${explained.message}` : explained.message
    this.notice('error', text, explained.hint)
  }
}
