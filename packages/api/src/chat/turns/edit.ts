/**
 * chat.edit: a sibling of one of the user's messages with new content, and its answer; the
 * active path moves to them and the old branch is kept. Follows the shape of every turn
 * (open-turn.ts). A repeated `clientMessageId` (an edit of the same message) returns the first
 * result.
 */
import { randomUUID } from 'node:crypto'
import type { AuthUser } from '@t3chat/auth'
import { startEdit } from '@t3chat/db'
import type { ApiDeps } from '../../deps'
import { PREVIEW_LENGTH } from '../../preview'
import type { SendResult } from '../../shapes'
import { settleBranchTurn } from './branch-turn'
import { openTurn } from './open-turn'

export interface EditInput {
  /** The user message edited. */
  messageId: string
  clientMessageId: string
  content: string
  model?: string | undefined
}

export async function edit(deps: ApiDeps, user: AuthUser, input: EditInput): Promise<SendResult> {
  const assistantMessageId = randomUUID()
  const turn = await openTurn(deps, user, { model: input.model, answerId: assistantMessageId })
  try {
    const started = await turn.write((db) =>
      startEdit(db, {
        userId: user.id,
        messageId: input.messageId,
        userMessageId: randomUUID(),
        assistantMessageId,
        clientMessageId: input.clientMessageId,
        content: input.content,
        model: input.model ?? null,
        previewLength: PREVIEW_LENGTH,
        owner: deps.hub.instanceId,
      }),
    )
    const result = await settleBranchTurn(deps, user, turn, started, 'edit')
    if (result.userMessage === null) throw new Error('an edit starts with a user message')
    return { ...result, userMessage: result.userMessage }
  } finally {
    await turn.close()
  }
}
