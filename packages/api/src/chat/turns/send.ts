/**
 * chat.send: a user message and its answer, started in one statement (see open-turn.ts for
 * the shape every turn follows). A repeated `clientMessageId` returns the first result.
 *
 * Client-chosen ids never tell one user about another's: `clientMessageId` lives in a key
 * space per user (the database stores it scoped), and an `assistantMessageId` that another
 * user's message already has is treated as fresh: the answer gets an id derived from it for
 * this user (the same on a retry; chat.stream on the chosen id follows it).
 */
import { randomUUID } from 'node:crypto'
import type { AuthUser } from '@t3chat/auth'
import { findMessage, startTurn, userScopedId, type StartedTurn } from '@t3chat/db'
import type { ApiDeps } from '../../deps'
import { GenerationInProgressError, InvalidInputError, NotFoundError } from '../../errors'
import { toConversation, toMessage } from '../../mappers'
import { PREVIEW_LENGTH } from '../../preview'
import type { Message, SendResult } from '../../shapes'
import { HISTORY_LIMIT } from '../generation'
import { openTurn } from './open-turn'

export interface SendInput {
  conversationId?: string | undefined
  clientMessageId: string
  /** The answer's id, chosen by the client so it can subscribe before this call returns. */
  assistantMessageId?: string | undefined
  content: string
  model?: string | undefined
  systemPrompt?: string | null | undefined
}

/** The answer id is another user's message: the caller tries again with a derived one. */
const TAKEN_ELSEWHERE = Symbol('taken elsewhere')

const alreadyUsed = (field: string) =>
  new InvalidInputError(`${field}: already used; send with a new id.`)

export async function send(deps: ApiDeps, user: AuthUser, input: SendInput): Promise<SendResult> {
  const chosen = input.assistantMessageId
  const sent = await startSend(deps, user, input, chosen ?? randomUUID())
  if (sent !== TAKEN_ELSEWHERE) return sent
  const again =
    chosen === undefined
      ? TAKEN_ELSEWHERE
      : await startSend(deps, user, input, userScopedId(user.id, chosen))
  if (again === TAKEN_ELSEWHERE) throw alreadyUsed('assistantMessageId')
  return again
}

async function startSend(
  deps: ApiDeps,
  user: AuthUser,
  input: SendInput,
  assistantMessageId: string,
): Promise<SendResult | typeof TAKEN_ELSEWHERE> {
  const userMessageId = randomUUID()
  const turn = await openTurn(deps, user, { model: input.model, answerId: assistantMessageId })
  try {
    const started = await turn.write((db) =>
      startTurn(db, {
        userId: user.id,
        conversationId: input.conversationId ?? null,
        userMessageId,
        assistantMessageId,
        clientMessageId: input.clientMessageId,
        content: input.content,
        model: input.model ?? null,
        defaultModel: deps.config.defaultModel,
        ...(input.systemPrompt !== undefined ? { systemPrompt: input.systemPrompt } : {}),
        preview: input.content.slice(0, PREVIEW_LENGTH),
        historyLimit: HISTORY_LIMIT,
        owner: deps.hub.instanceId,
      }),
    )
    switch (started.outcome) {
      case 'duplicate':
        if (started.turn?.userMessage == null) {
          const taken =
            started.field === 'assistantMessageId' &&
            (await findMessage(deps.db, { userId: user.id, id: assistantMessageId })) === undefined
          if (taken) return TAKEN_ELSEWHERE
          throw alreadyUsed(started.field)
        }
        return replayed(deps, started.turn, started.turn.userMessage)
      case 'not_found':
        throw new NotFoundError('conversation')
      case 'busy':
        throw new GenerationInProgressError(started.activeMessageId)
      case 'started':
        break
    }
    const row = started.conversation
    const conversation = toConversation(row)
    const createdAt = (row.lastMessageAt ?? row.activityAt).toISOString()
    const base = { conversationId: row.id, error: null, usage: null, createdAt }
    const userMessage: Message = {
      ...base,
      id: userMessageId,
      // The leaf it follows has no other child: a new message is its only one.
      parentId: row.previousLeafId,
      branch: { index: 1, count: 1 },
      seq: row.lastSeq - 1,
      role: 'user',
      content: input.content,
      model: null,
      status: 'completed',
      completedAt: createdAt,
    }
    const assistantMessage: Message = {
      ...base,
      id: assistantMessageId,
      parentId: userMessageId,
      branch: { index: 1, count: 1 },
      seq: row.lastSeq,
      role: 'assistant',
      content: '',
      model: row.currentModel,
      status: 'pending',
      completedAt: null,
    }
    await turn.launch({
      conversationId: row.id,
      seq: row.lastSeq,
      parentId: userMessageId,
      branch: assistantMessage.branch,
      model: row.currentModel,
      systemPrompt: row.systemPrompt,
      history: [{ role: 'user', content: input.content }, ...row.history],
      titleFrom: row.title === null && !row.titleSetByUser ? { userContent: input.content } : null,
    })
    await deps.hub.publish(user.id, {
      type: input.conversationId === undefined ? 'conversation.created' : 'conversation.updated',
      conversation,
    })
    await deps.hub.publish(user.id, { type: 'message.created', message: userMessage })
    await deps.hub.publish(user.id, { type: 'message.created', message: assistantMessage })
    return { conversation, userMessage, assistantMessage }
  } finally {
    await turn.close()
  }
}

function replayed(
  deps: ApiDeps,
  turn: StartedTurn,
  userMessage: NonNullable<StartedTurn['userMessage']>,
): SendResult {
  return {
    conversation: toConversation(turn.conversation),
    userMessage: toMessage(userMessage),
    assistantMessage: deps.runner.current(toMessage(turn.assistant)),
  }
}
