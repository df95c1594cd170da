/**
 * chat.regenerate: a new answer to the question of `messageId` (default the active path's
 * last), as a sibling of the answers it already has; the active path moves to it and the old
 * answers stay as branches. Follows the shape of every turn (open-turn.ts). A repeated
 * `clientMessageId` returns the first result.
 */
import { randomUUID } from 'node:crypto'
import type { AuthUser } from '@t3chat/auth'
import { startRegeneration } from '@t3chat/db'
import type { ApiDeps } from '../../deps'
import { PREVIEW_LENGTH } from '../../preview'
import type { Conversation, Message } from '../../shapes'
import { settleBranchTurn } from './branch-turn'
import { openTurn } from './open-turn'

export interface RegenerateInput {
  conversationId: string
  clientMessageId: string
  /** The answer to give again; default the last. */
  messageId?: string | undefined
  model?: string | undefined
}

export async function regenerate(
  deps: ApiDeps,
  user: AuthUser,
  input: RegenerateInput,
): Promise<{ conversation: Conversation; assistantMessage: Message }> {
  const assistantMessageId = randomUUID()
  const turn = await openTurn(deps, user, { model: input.model, answerId: assistantMessageId })
  try {
    const started = await turn.write((db) =>
      startRegeneration(db, {
        userId: user.id,
        conversationId: input.conversationId,
        messageId: input.messageId ?? null,
        assistantMessageId,
        clientMessageId: input.clientMessageId,
        model: input.model ?? null,
        previewLength: PREVIEW_LENGTH,
        owner: deps.hub.instanceId,
      }),
    )
    const { conversation, assistantMessage } = await settleBranchTurn(
      deps,
      user,
      turn,
      started,
      'regenerate',
    )
    return { conversation, assistantMessage }
  } finally {
    await turn.close()
  }
}
