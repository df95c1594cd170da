import type {
  Conversation as ConversationRow,
  Message as MessageRow,
  ShareSummary,
  User as UserRow,
} from '@t3chat/db'
import type { Conversation, Message, Share, User } from './shapes'

const iso = (d: Date): string => d.toISOString()
const isoOrNull = (d: Date | null): string | null => (d === null ? null : d.toISOString())

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    defaultModel: row.defaultModel,
    preferences: row.preferences,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  }
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    title: row.title,
    systemPrompt: row.systemPrompt,
    currentModel: row.currentModel,
    pinned: row.pinned,
    messageCount: row.messageCount,
    preview: row.preview,
    lastMessageAt: isoOrNull(row.lastMessageAt),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  }
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversationId,
    seq: row.seq,
    role: row.role,
    content: row.content,
    model: row.model,
    status: row.status,
    error: row.errorCode === null ? null : { code: row.errorCode, message: row.errorMessage ?? '' },
    usage:
      row.promptTokens === null && row.completionTokens === null
        ? null
        : {
            promptTokens: row.promptTokens ?? 0,
            completionTokens: row.completionTokens ?? 0,
            cost: row.cost,
          },
    createdAt: iso(row.createdAt),
    completedAt: isoOrNull(row.completedAt),
  }
}

/** A share as its owner sees it; the token only where it was just created. */
export function toShare(row: ShareSummary, token: string | null = null): Share {
  return {
    id: row.id,
    token,
    conversationId: row.conversationId,
    title: row.title,
    messageCount: row.messageCount,
    createdAt: iso(row.createdAt),
    revokedAt: isoOrNull(row.revokedAt),
  }
}
