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
  /** Messages on the active path. */
  messageCount: number
  /** The start of the active path's last user message. */
  preview: string | null
  /** The end of the active path (null while the conversation is empty). */
  leafMessageId: string | null
  lastMessageAt: string | null
  createdAt: string
  updatedAt: string
}

export type MessageStatus = 'pending' | 'streaming' | 'completed' | 'error' | 'cancelled'

/** A message's 1-based place among the messages that share its parent, by `seq`. */
export interface Branch {
  index: number
  count: number
}

export interface Message {
  id: string
  conversationId: string
  /** The message before it on its branch; null for the first. */
  parentId: string | null
  branch: Branch
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

/**
 * A public link to a snapshot of a conversation's path. Only the token's hash is stored, so
 * `token` is the link's token in the answer of `share.create` and null everywhere else.
 */
export interface Share {
  id: string
  token: string | null
  conversationId: string
  title: string | null
  messageCount: number
  createdAt: string
  revokedAt: string | null
}

/** What anyone holding a share link sees (`share.get`): never ids, system prompt or errors. */
export interface SharedConversation {
  title: string | null
  createdAt: string
  messages: Array<{
    role: 'user' | 'assistant'
    content: string
    model: string | null
    createdAt: string
  }>
}

/** Events of `events`, the user's change feed. */
export type UserEvent =
  | { type: 'conversation.created' | 'conversation.updated'; conversation: Conversation }
  | { type: 'conversation.deleted'; conversationId: string }
  | { type: 'message.created' | 'message.updated'; message: Message }
  | { type: 'share.created' | 'share.revoked'; share: Share }
