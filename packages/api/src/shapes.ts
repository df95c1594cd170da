/** The public shapes of API.md. Times are ISO-8601 strings, ids UUIDs. */

export interface User {
  id: string
  email: string | null
  displayName: string | null
  defaultModel: string | null
  preferences: Record<string, unknown>
  createdAt: string
  updatedAt: string
}

export interface Model {
  id: string
  name: string
  contextLength: number | null
  pricing: { prompt: string; completion: string } | null
}

export interface Conversation {
  id: string
  title: string | null
  systemPrompt: string | null
  currentModel: string
  pinned: boolean
  messageCount: number
  preview: string | null
  lastMessageAt: string | null
  createdAt: string
  updatedAt: string
}

export type MessageStatus = 'pending' | 'streaming' | 'completed' | 'error' | 'cancelled'

export interface Message {
  id: string
  conversationId: string
  seq: number
  role: 'user' | 'assistant'
  content: string
  model: string | null
  status: MessageStatus
  error: { code: string; message: string } | null
  usage: { promptTokens: number; completionTokens: number; cost: number | null } | null
  createdAt: string
  completedAt: string | null
}

/** Events of `chat.stream`. A `delta`'s tracked id is the content length after applying it. */
export type ChatEvent =
  | { type: 'delta'; text: string }
  | { type: 'status'; status: MessageStatus }
  | { type: 'final'; message: Message }

/** Events of `events`, the user's change feed. */
export type UserEvent =
  | { type: 'conversation.created' | 'conversation.updated'; conversation: Conversation }
  | { type: 'conversation.deleted'; conversationId: string }
  | { type: 'message.created' | 'message.updated'; message: Message }

/**
 * One result of `search.messages`: a message whose text matches (`field: 'content'`), or the
 * first message of a conversation whose title matches (`field: 'title'`, the title as snippet).
 */
export interface SearchHit {
  conversationId: string
  conversationTitle: string | null
  messageId: string
  seq: number
  role: 'user' | 'assistant'
  createdAt: string
  field: 'content' | 'title'
  snippet: string
  /** UTF-16 ranges `[start, end)` of the matching words in `snippet`. */
  highlights: Array<[start: number, end: number]>
}
