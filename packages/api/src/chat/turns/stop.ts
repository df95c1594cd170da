/**
 * chat.stop: ends a live answer, keeping its text. The hub carries the request to the
 * instance generating the answer, which aborts the upstream and saves `cancelled`; when no
 * owner acts in time (it is gone), the answer is ended here. Either way the final write only
 * applies to a live answer, so a final state is never overwritten.
 */
import type { AuthUser } from '@t3chat/auth'
import { findMessage, finishAnswer, userScopedId } from '@t3chat/db'
import type { ApiDeps } from '../../deps'
import { NotFoundError } from '../../errors'
import { toMessage, withBranch } from '../../mappers'
import type { Message } from '../../shapes'
import { isFinal } from '../follow'

/** How long a stop waits for the owner to save the answer before ending it itself. */
export const STOP_WAIT_MS = 5_000

export async function stop(deps: ApiDeps, user: AuthUser, messageId: string): Promise<Message> {
  try {
    return await stopOwn(deps, user, messageId)
  } catch (error) {
    // An id the client chose that another user's message had: the answer has the id derived
    // from it for this user (see send.ts), as chat.stream follows it.
    if (!(error instanceof NotFoundError)) throw error
    return await stopOwn(deps, user, userScopedId(user.id, messageId))
  }
}

async function stopOwn(deps: ApiDeps, user: AuthUser, messageId: string): Promise<Message> {
  const live = await deps.hub.lookup(messageId)
  if (live === null || live.userId !== user.id) {
    const row = await findMessage(deps.db, { userId: user.id, id: messageId })
    if (row === undefined) throw new NotFoundError('message')
    if (isFinal(row.status)) return toMessage(row)
  }
  const stopped = await deps.hub.requestStop(messageId, STOP_WAIT_MS)
  if (stopped !== null) return stopped
  // No owner acted: end it here with the text it has (its last checkpoint).
  const row = await findMessage(deps.db, { userId: user.id, id: messageId })
  if (row === undefined) throw new NotFoundError('message')
  const ended = await finishAnswer(deps.db, {
    id: row.id,
    conversationId: row.conversationId,
    content: row.content,
    status: 'cancelled',
    errorCode: null,
    errorMessage: null,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    cost: row.cost,
  })
  if (ended.outcome === 'not_found') throw new NotFoundError('message')
  const message = toMessage(
    withBranch(ended.message, { index: row.branchIndex, count: row.branchCount }),
  )
  if (ended.outcome === 'finished') {
    await deps.hub.endOrphan(message)
    await deps.hub.publish(user.id, { type: 'message.updated', message })
  }
  return message
}
