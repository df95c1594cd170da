/**
 * What the turns that start a new branch (chat.regenerate, chat.edit) share: mapping the
 * repository's outcome, launching the answer, and announcing it (see open-turn.ts for the shape
 * every turn follows).
 */
import type { AuthUser } from '@t3chat/auth'
import type { BranchOutcome, StartedTurn } from '@t3chat/db'
import type { ApiDeps } from '../../deps'
import { GenerationInProgressError, InvalidInputError, NotFoundError } from '../../errors'
import { toConversation, toMessage } from '../../mappers'
import type { Conversation, Message } from '../../shapes'
import type { OpenTurn } from './open-turn'

export interface BranchTurnResult {
  conversation: Conversation
  userMessage: Message | null
  assistantMessage: Message
}

/**
 * Launches a started branch turn and announces it (`conversation.updated`, then the new
 * messages), or turns any other outcome into the error the caller sees. A `duplicate` with a
 * turn is a retry: the first result comes back and nothing starts.
 */
export async function settleBranchTurn(
  deps: ApiDeps,
  user: AuthUser,
  turn: OpenTurn,
  started: BranchOutcome,
  kind: 'regenerate' | 'edit',
): Promise<BranchTurnResult> {
  switch (started.outcome) {
    case 'duplicate':
      if (started.turn === null)
        throw new InvalidInputError(`clientMessageId: already used; ${kind} with a new id.`)
      return replayed(deps, started.turn)
    case 'not_found':
      throw new NotFoundError('conversation')
    case 'message_not_found':
      throw new NotFoundError('message')
    case 'wrong_role':
      throw new InvalidInputError(
        kind === 'edit'
          ? 'messageId: an answer is not edited; regenerate it with chat.regenerate.'
          : 'messageId: not an answer; change a message of yours with chat.edit.',
      )
    case 'busy':
      throw new GenerationInProgressError(started.activeMessageId)
    case 'empty':
      throw new InvalidInputError('conversationId: the conversation has no message to answer yet.')
    case 'started':
      break
  }
  const { conversation: row, assistant } = started
  const userMessage = started.userMessage === null ? null : toMessage(started.userMessage)
  const assistantMessage = toMessage(assistant)
  await turn.launch({
    conversationId: row.id,
    seq: assistant.seq,
    parentId: assistant.parentId,
    branch: assistantMessage.branch,
    model: row.currentModel,
    systemPrompt: row.systemPrompt,
    // The context is the active path before the answer, which now runs through it.
    history: null,
    titleFrom: row.title === null && !row.titleSetByUser ? { userContent: started.question } : null,
  })
  const conversation = toConversation(row)
  await deps.hub.publish(user.id, { type: 'conversation.updated', conversation })
  if (userMessage !== null)
    await deps.hub.publish(user.id, { type: 'message.created', message: userMessage })
  await deps.hub.publish(user.id, { type: 'message.created', message: assistantMessage })
  return { conversation, userMessage, assistantMessage }
}

function replayed(deps: ApiDeps, turn: StartedTurn): BranchTurnResult {
  return {
    conversation: toConversation(turn.conversation),
    userMessage: turn.userMessage === null ? null : toMessage(turn.userMessage),
    assistantMessage: deps.runner.current(toMessage(turn.assistant)),
  }
}
