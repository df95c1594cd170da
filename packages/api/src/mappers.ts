import type {
  BranchedMessage,
  Conversation as ConversationRow,
  Message as MessageRow,
  User as UserRow,
} from '@t3chat/db'
import type { Branch, Conversation, Message, User } from './shapes'

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
    leafMessageId: row.leafMessageId,
    lastMessageAt: isoOrNull(row.lastMessageAt),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  }
}

/** A stored message with its branch position, from a query that did not compute it. */
export function withBranch(row: MessageRow, branch: Branch): BranchedMessage {
  return { ...row, branchIndex: branch.index, branchCount: branch.count }
}

export function toMessage(row: BranchedMessage): Message {
  return {
    id: row.id,
    conversationId: row.conversationId,
    parentId: row.parentId,
    branch: { index: row.branchIndex, count: row.branchCount },
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
