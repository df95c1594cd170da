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

/** Thrown inside the transaction when a concurrent import of the same source won: rolls back. */
class LostImportRace extends Error {}

/**
 * Imports ONE conversation in one transaction: all of it or nothing. A source (format, its own
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
  const earlier = await findImport(deps.db, source)
  if (earlier !== undefined) return duplicateOf(earlier)
  try {
    const created = await deps.db.transaction().execute(async (trx) => {
      const outcome = await insertImport(
        trx,
        { ...source, skipped: read.skipped },
        read.draft,
        PREVIEW_LENGTH,
      )
      if (outcome.kind === 'duplicate') throw new LostImportRace()
      return outcome.conversation
    })
    const conversation = toConversation(created)
    deps.hub.publish(user.id, { type: 'conversation.created', conversation })
    return {
      conversation,
      messageCount: read.draft.messages.length,
      skipped: read.skipped,
      duplicate: false,
    }
  } catch (error) {
    if (!(error instanceof LostImportRace)) throw error
    const winner = await findImport(deps.db, source)
    if (winner === undefined) throw error
    return duplicateOf(winner)
  }
}

function duplicateOf(earlier: NonNullable<Awaited<ReturnType<typeof findImport>>>): ImportResult {
  return {
    conversation: toConversation(earlier.conversation),
    messageCount: earlier.messageCount,
    skipped: earlier.skipped,
    duplicate: true,
  }
}
