import type { AuthUser } from '@t3chat/auth'
import { findImport, insertImport, type ImportDraft } from '@t3chat/db'
import type { ApiDeps } from '../../deps'
import { toConversation } from '../../mappers'
import { PREVIEW_LENGTH } from '../../preview'
import type { Conversation } from '../../shapes'
import { fromChatGptConversation } from './chatgpt-format'
import { fromT3chatDocument } from './t3chat-format'

export type ImportFormat = 't3chat' | 'chatgpt'

/** What `conversation.import` answers. */
export interface ImportResult {
  conversation: Conversation
  /** Every message imported (all branches). */
  messageCount: number
  /** Nodes and parts left out (system, tool and hidden nodes, non-text parts). */
  skipped: number
  /** True when this source was imported before: nothing new was written. */
  duplicate: boolean
}

/**
 * Imports ONE conversation in one statement: all of it or nothing. A source (format, its own
 * conversation id) imported before by this user returns that import (`duplicate: true`).
 */
export async function importConversation(
  deps: ApiDeps,
  user: AuthUser,
  input: { format: ImportFormat; data: unknown },
): Promise<ImportResult> {
  const read: { sourceId: string; draft: ImportDraft; skipped: number } =
    input.format === 't3chat'
      ? fromT3chatDocument(input.data)
      : fromChatGptConversation(input.data, deps.config.defaultModel)
  const source = { userId: user.id, format: input.format, sourceId: read.sourceId }
  const outcome = await insertImport(
    deps.db,
    { ...source, skipped: read.skipped },
    read.draft,
    PREVIEW_LENGTH,
  )
  if (outcome.kind === 'duplicate') {
    const earlier = await findImport(deps.db, source)
    // Imported before, then deleted in between: the conversation is gone with its record.
    if (earlier === undefined) return importConversation(deps, user, input)
    return {
      conversation: toConversation(earlier.conversation),
      messageCount: earlier.messageCount,
      skipped: earlier.skipped,
      duplicate: true,
    }
  }
  const conversation = toConversation(outcome.conversation)
  await deps.hub.publish(user.id, { type: 'conversation.created', conversation })
  return {
    conversation,
    messageCount: read.draft.messages.length,
    skipped: read.skipped,
    duplicate: false,
  }
}
