import type { ChatClient } from '@t3chat/client'
import type { ChatState, SearchHit } from './state'
import type { Store } from './store'

/** A message to mark when a conversation is printed: a search match. */
export interface Mark {
  messageId: string
  seq: number
  label: string
}

/** What `/search` needs from the chat. */
export interface SearchHost {
  client: ChatClient
  store: Store<ChatState>
  /** Opens a conversation; with a mark, its history goes back far enough to show it. */
  open(conversationId: string, mark: Mark | null): Promise<void>
  notice(tone: 'info' | 'warn', text: string): void
}

/** `/search words…`: your best matching messages and titles, as a list to open one from. */
export async function searchMessages(host: SearchHost, query: string): Promise<void> {
  host.store.set({ busy: 'Searching…' })
  const page = await host.client.search.messages
    .query({ query, limit: 20 })
    .finally(() => host.store.set({ busy: null }))
  if (page.items.length === 0) return host.notice('info', `Nothing matches “${query}”.`)
  host.store.set({ chooser: { kind: 'search', query, hits: page.items } })
}

/**
 * Opens the conversation of a search result at the match. A match on a branch other than the
 * active one (search covers every branch) makes that branch the active one first.
 */
export async function openHit(host: SearchHost, hit: SearchHit, query: string): Promise<void> {
  host.store.set({ chooser: null })
  if (hit.field === 'title') return host.open(hit.conversationId, null)
  // The active path's message at the match's place: the match itself, unless it is elsewhere.
  const { items } = await host.client.message.list.query({
    conversationId: hit.conversationId,
    before: hit.seq + 1,
    limit: 1,
  })
  const elsewhere = items[0]?.id !== hit.messageId
  if (elsewhere) {
    await host.client.conversation.selectBranch.mutate({
      conversationId: hit.conversationId,
      messageId: hit.messageId,
    })
  }
  await host.open(hit.conversationId, {
    messageId: hit.messageId,
    seq: hit.seq,
    label: `▸ match for “${query}”`,
  })
  if (elsewhere) host.notice('info', 'Switched to the branch that holds the match.')
}
