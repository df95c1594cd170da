/**
 * chat.regenerate: a new answer to the conversation's last user message; the answers after it
 * stay in the database, hidden. Follows the shape of every turn (open-turn.ts). A repeated
 * `clientMessageId` returns the first result.
 */
import { randomUUID } from 'node:crypto'
import type { AuthUser } from '@t3chat/auth'
import { startRegeneration } from '@t3chat/db'
import type { ApiDeps } from '../../deps'
import { GenerationInProgressError, InvalidInputError, NotFoundError } from '../../errors'
import { toConversation, toMessage } from '../../mappers'
import type { Conversation, Message } from '../../shapes'
import { openTurn } from './open-turn'

export interface RegenerateInput {
  conversationId: string
  clientMessageId: string
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
    const started = await startRegeneration(deps.db, {
      userId: user.id,
      conversationId: input.conversationId,
      assistantMessageId,
      clientMessageId: input.clientMessageId,
      model: input.model ?? null,
      owner: deps.hub.instanceId,
    })
    switch (started.outcome) {
      case 'duplicate':
        if (started.turn === null)
          throw new InvalidInputError('clientMessageId: already used; regenerate with a new id.')
        return {
          conversation: toConversation(started.turn.conversation),
          assistantMessage: deps.runner.current(toMessage(started.turn.assistant)),
        }
      case 'not_found':
        throw new NotFoundError('conversation')
      case 'busy':
        throw new GenerationInProgressError(started.activeMessageId)
      case 'empty':
        throw new InvalidInputError(
          'conversationId: the conversation has no message to answer yet.',
        )
      case 'started':
        break
    }
    const { conversation: row, assistant } = started
    await turn.launch({
      conversationId: row.id,
      seq: assistant.seq,
      model: row.currentModel,
      systemPrompt: row.systemPrompt,
      history: null,
      titleFrom:
        row.title === null && !row.titleSetByUser
          ? { userContent: started.userMessage.content }
          : null,
    })
    const conversation = toConversation(row)
    const assistantMessage = toMessage(assistant)
    await deps.hub.publish(user.id, { type: 'conversation.updated', conversation })
    await deps.hub.publish(user.id, { type: 'message.created', message: assistantMessage })
    return { conversation, assistantMessage }
  } finally {
    await turn.close()
  }
}
