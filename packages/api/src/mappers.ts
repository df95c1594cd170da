import type {
  BranchedMessage,
  Conversation as ConversationRow,
  Message as MessageRow,
  ShareSummary,
  User as UserRow,
} from '@t3chat/db'
import type { Branch, Conversation, Message, Share, User } from './shapes'

const iso = (d: Date): string => d.toISOString()
const isoOrNull = (d: Date | null): string | null => (d === null ? null : d.toISOString())

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    defaultModel: row.defaultModel,
    preferences: row.preferences,
    providerKey:
      row.providerKeyLast4 === null || row.providerKeyAddedAt === null
        ? null
        : { last4: row.providerKeyLast4, addedAt: iso(row.providerKeyAddedAt) },
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
    error: toMessageError(row),
    usage: toUsage(row),
    createdAt: iso(row.createdAt),
    completedAt: isoOrNull(row.completedAt),
  }
}

/** A stored message's error, as `Message.error`. */
export function toMessageError(row: MessageRow): Message['error'] {
  return row.errorCode === null ? null : { code: row.errorCode, message: row.errorMessage ?? '' }
}

/** A stored message's token counts and cost, as `Message.usage`. */
export function toUsage(row: MessageRow): Message['usage'] {
  return row.promptTokens === null && row.completionTokens === null
    ? null
    : {
        promptTokens: row.promptTokens ?? 0,
        completionTokens: row.completionTokens ?? 0,
        cost: row.cost,
        costSource:
          row.cost === null || (row.costSource !== 'provider' && row.costSource !== 'estimated')
            ? null
            : row.costSource,
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
