import type { AuthUser } from '@t3chat/auth'
import { forkPath, selectBranch as moveToBranch } from '@t3chat/db'
import type { ApiDeps } from '../deps'
import { GenerationInProgressError, NotFoundError } from '../errors'
import { toConversation } from '../mappers'
import { PREVIEW_LENGTH } from '../preview'
import type { Conversation } from '../shapes'

/** `conversation.selectBranch`: the active path runs through the message, down to its newest leaf. */
export async function selectBranch(
  deps: ApiDeps,
  user: AuthUser,
  input: { conversationId: string; messageId: string },
): Promise<Conversation> {
  const row = await deps.db.transaction().execute((trx) =>
    moveToBranch(trx, {
      userId: user.id,
      conversationId: input.conversationId,
      messageId: input.messageId,
      previewLength: PREVIEW_LENGTH,
    }),
  )
  if (row === undefined) throw new NotFoundError('message')
  if (row === 'busy') throw new GenerationInProgressError(null)
  const conversation = toConversation(row)
  await deps.hub.publish(user.id, { type: 'conversation.updated', conversation })
  return conversation
}

/** `conversation.fork`: a new conversation holding a copy of the path up to the message. */
export async function fork(
  deps: ApiDeps,
  user: AuthUser,
  input: { messageId: string },
): Promise<Conversation> {
  const row = await forkPath(deps.db, {
    userId: user.id,
    messageId: input.messageId,
    previewLength: PREVIEW_LENGTH,
  })
  if (row === undefined) throw new NotFoundError('message')
  if (row === 'busy') throw new GenerationInProgressError(null)
  const conversation = toConversation(row)
  await deps.hub.publish(user.id, { type: 'conversation.created', conversation })
  return conversation
}
