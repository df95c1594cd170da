import type { ChatClient, Conversation, UserEvent } from '@t3chat/client'
import { CliError } from '../errors'
import type { ChatState } from './state'
import type { Store } from './store'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The conversation list: pages, live updates from the change feed, and `n|id` lookups. */
export class Conversations {
  constructor(
    private readonly client: ChatClient,
    private readonly store: Store<ChatState>,
  ) {}

  /** Loads the first page (again). */
  async load(): Promise<void> {
    this.patch({ loading: true })
    try {
      const page = await this.client.conversation.list.query({ limit: 50 })
      this.patch({ items: page.items, nextCursor: page.nextCursor, loaded: true })
    } finally {
      this.patch({ loading: false })
    }
  }

  /** Appends the next page, if any. */
  async loadMore(): Promise<void> {
    const list = this.store.get().list
    if (list.nextCursor === null || list.loading) return
    this.patch({ loading: true })
    try {
      const page = await this.client.conversation.list.query({ limit: 50, cursor: list.nextCursor })
      const seen = new Set(list.items.map((item) => item.id))
      this.patch({
        items: [...list.items, ...page.items.filter((item) => !seen.has(item.id))],
        nextCursor: page.nextCursor,
      })
    } finally {
      this.patch({ loading: false })
    }
  }

  /**
   * A conversation id from what the user typed: a list number (1 = most recent), a full
   * id, or the start of one (as `t3chat list` prints it).
   */
  async resolve(ref: string): Promise<string> {
    return resolveConversationRef(this.client, ref, this.store.get().list.items)
  }

  /** Keeps the list in step with the change feed (titles, new and deleted conversations). */
  apply(event: UserEvent): void {
    const items = this.store.get().list.items
    switch (event.type) {
      case 'conversation.created':
      case 'conversation.updated': {
        const rest = items.filter((item) => item.id !== event.conversation.id)
        const next = [event.conversation, ...rest].sort(byActivity)
        this.patch({ items: next })
        return
      }
      case 'conversation.deleted':
        this.remove(event.conversationId)
        return
      default:
        return
    }
  }

  remove(id: string): void {
    this.patch({ items: this.store.get().list.items.filter((item) => item.id !== id) })
  }

  private patch(partial: Partial<ChatState['list']>): void {
    this.store.update((state) => ({ ...state, list: { ...state.list, ...partial } }))
  }
}

function byActivity(a: Conversation, b: Conversation): number {
  const at = a.lastMessageAt ?? a.updatedAt
  const bt = b.lastMessageAt ?? b.updatedAt
  return at < bt ? 1 : at > bt ? -1 : 0
}

/**
 * Resolves `n` (1-based position, most recent first), a full UUID, or an id prefix of at
 * least 4 characters. `known` is the list already loaded; more pages are fetched as needed.
 */
export async function resolveConversationRef(
  client: ChatClient,
  ref: string,
  known: readonly Conversation[] = [],
): Promise<string> {
  const text = ref.trim()
  if (UUID.test(text)) return text.toLowerCase()
  const position = /^\d{1,3}$/.test(text) ? Number(text) : null
  const prefix = /^[0-9a-f-]{4,}$/i.test(text) ? text.toLowerCase() : null
  if (position === null && prefix === null) {
    throw new CliError(
      `"${ref}" is not a conversation number or id`,
      'Use a number from the list, or an id.',
    )
  }
  if (position !== null && position >= 1 && position <= known.length)
    return known[position - 1]?.id ?? ''
  if (prefix !== null) {
    const matches = known.filter((item) => item.id.startsWith(prefix))
    if (matches.length === 1) return matches[0]?.id ?? ''
  }
  const items: Conversation[] = []
  let cursor: string | null = null
  // At most 1,000 conversations deep: enough for a reference typed by hand.
  for (let pages = 0; pages < 10; pages++) {
    const page = await client.conversation.list.query({
      limit: 100,
      ...(cursor !== null ? { cursor } : {}),
    })
    items.push(...page.items)
    if (position !== null && position >= 1 && position <= items.length)
      return items[position - 1]?.id ?? ''
    if (page.nextCursor === null) break
    cursor = page.nextCursor
  }
  const matches = prefix !== null ? items.filter((item) => item.id.startsWith(prefix)) : []
  if (matches.length === 1) return matches[0]?.id ?? ''
  if (matches.length > 1) {
    throw new CliError(`"${ref}" matches ${matches.length} conversations`, 'Type more of the id.')
  }
  throw new CliError(
    `No conversation "${ref}"`,
    'See `t3chat list` (or /list) for numbers and ids.',
  )
}
