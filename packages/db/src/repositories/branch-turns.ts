import type { Kysely, Transaction } from 'kysely'
import { sql } from 'kysely'
import type { Conversation, Database, Executor } from '../database'
import { moveActivePath, selectBranchedMessages, type BranchedMessage } from './branches'
import type { StartedTurn, TurnOutcome } from './chat-turns'
import { userScopedId } from '../scoped-id'
import { findConversation, lockConversation } from './conversations'
import { findMessage, findMessageByClientId } from './messages'
import { uniqueViolation } from './pg-errors'

/**
 * The turns that start a new branch: a regeneration (a sibling answer) and an edit (a sibling
 * user message and its answer). Each runs in one transaction with the conversation row locked;
 * the new rows take the next seqs, then the active path moves to the new answer (the old
 * branch below the fork point is hidden, never deleted).
 */

/** A turn on a new branch as it was started. */
export interface BranchStarted {
  conversation: Conversation
  userMessage: BranchedMessage | null
  assistant: BranchedMessage
  /** The text of the user message the answer replies to. */
  question: string
}

/** `message_not_found`: the message to answer again or edit is not the user's (or not here). */
export type BranchOutcome =
  | TurnOutcome<BranchStarted>
  | { outcome: 'empty' }
  | { outcome: 'message_not_found' }
  | { outcome: 'wrong_role'; role: 'user' | 'assistant' }

/** What {@link startRegeneration} writes. */
export interface RegenerationStart {
  userId: string
  conversationId: string
  /** The answer to give again (as a sibling); null: the active path's last question. */
  messageId: string | null
  assistantMessageId: string
  clientMessageId: string
  /** null keeps the conversation's model. */
  model: string | null
  previewLength: number
  /** The instance that will generate the answer. */
  owner: string
}

/**
 * A sibling answer to the question of `messageId` (default the last on the active path). A
 * repeated client id replays the regeneration it started; `empty` when there is no question.
 */
export async function startRegeneration(
  db: Kysely<Database>,
  r: RegenerationStart,
): Promise<BranchOutcome> {
  const previous = await findRegeneration(db, r)
  if (previous !== undefined) return previous
  try {
    return await db
      .transaction()
      .execute((trx) => insertBranchTurn(trx, { ...r, kind: 'regenerate', answerOf: r.messageId }))
  } catch (error) {
    if (uniqueViolation(error) === null) throw error
    return (
      (await findRegeneration(db, r)) ?? {
        outcome: 'duplicate',
        field: 'clientMessageId',
        turn: null,
      }
    )
  }
}

/** The regeneration this user made with this client id, as a `duplicate` outcome. */
async function findRegeneration(
  db: Executor,
  r: { userId: string; clientMessageId: string },
): Promise<TurnOutcome<never> | undefined> {
  const previous = await findMessageByClientId(db, r)
  if (previous === undefined) return undefined
  // The id of a user message (a chat.send or an edit) is not a regeneration's to replay.
  const conversation =
    previous.role === 'assistant'
      ? await findConversation(db, { userId: r.userId, id: previous.conversationId })
      : undefined
  return {
    outcome: 'duplicate',
    field: 'clientMessageId',
    turn:
      conversation === undefined ? null : { conversation, userMessage: null, assistant: previous },
  }
}

/** What {@link startEdit} writes. */
export interface EditStart {
  userId: string
  /** The user message edited: the new one becomes its sibling. */
  messageId: string
  userMessageId: string
  assistantMessageId: string
  clientMessageId: string
  content: string
  /** null keeps the conversation's model. */
  model: string | null
  previewLength: number
  /** The instance that will generate the answer. */
  owner: string
}

/**
 * A sibling of the user message `messageId` with new content, and its answer. A repeated
 * client id (an edit of the same message) replays the edit it started.
 */
export async function startEdit(db: Kysely<Database>, e: EditStart): Promise<BranchOutcome> {
  const edited = await findMessage(db, { userId: e.userId, id: e.messageId })
  if (edited === undefined) return { outcome: 'message_not_found' }
  if (edited.role !== 'user') return { outcome: 'wrong_role', role: edited.role }
  const previous = await findEdit(db, e, edited)
  if (previous !== undefined) return previous
  try {
    return await db.transaction().execute((trx) =>
      insertBranchTurn(trx, {
        ...e,
        kind: 'edit',
        conversationId: edited.conversationId,
        parentId: edited.parentId,
        userMessage: {
          id: e.userMessageId,
          content: e.content,
          clientMessageId: e.clientMessageId,
        },
      }),
    )
  } catch (error) {
    if (uniqueViolation(error) === null) throw error
    return (
      (await findEdit(db, e, edited)) ?? {
        outcome: 'duplicate',
        field: 'clientMessageId',
        turn: null,
      }
    )
  }
}

/** The edit of the same message this user made with this client id, as a `duplicate` outcome. */
async function findEdit(
  db: Executor,
  e: { userId: string; clientMessageId: string },
  edited: BranchedMessage,
): Promise<TurnOutcome<never> | undefined> {
  const first = await findMessageByClientId(db, e)
  if (first === undefined) return undefined
  const sibling =
    first.role === 'user' &&
    first.id !== edited.id &&
    first.conversationId === edited.conversationId &&
    first.parentId === edited.parentId
  const [conversation, assistant] = sibling
    ? await Promise.all([
        findConversation(db, { userId: e.userId, id: first.conversationId }),
        selectBranchedMessages(db)
          .where('messages.conversationId', '=', first.conversationId)
          .where('messages.parentId', '=', first.id)
          .orderBy('messages.seq')
          .executeTakeFirst(),
      ])
    : [undefined, undefined]
  const turn: StartedTurn | null =
    conversation === undefined || assistant === undefined
      ? null
      : { conversation, userMessage: first, assistant }
  return { outcome: 'duplicate', field: 'clientMessageId', turn }
}

/** A new branch: an edit (a user message under `parentId`, then its answer) or a regeneration. */
type BranchTurnStart = {
  userId: string
  conversationId: string
  assistantMessageId: string
  model: string | null
  previewLength: number
  /** The instance that will generate the answer. */
  owner: string
} & (
  | {
      kind: 'edit'
      /** The edited message's parent (null: a new root). */
      parentId: string | null
      userMessage: { id: string; content: string; clientMessageId: string }
    }
  | {
      kind: 'regenerate'
      /** The answer given again; null: answer the active path's last question. */
      answerOf: string | null
      /** A regeneration's client id sits on its answer. */
      clientMessageId: string
    }
)

async function insertBranchTurn(
  trx: Transaction<Database>,
  t: BranchTurnStart,
): Promise<BranchOutcome> {
  const locked = await lockConversation(trx, { userId: t.userId, id: t.conversationId })
  if (!locked) return { outcome: 'not_found' }
  if (locked.activeMessageId !== null)
    return { outcome: 'busy', activeMessageId: locked.activeMessageId }
  const model = t.model ?? locked.currentModel
  let seq = locked.lastSeq
  let answerParent: string
  let question: string
  if (t.kind === 'edit') {
    seq += 1
    await trx
      .insertInto('messages')
      .values({
        id: t.userMessage.id,
        conversationId: t.conversationId,
        parentId: t.parentId,
        seq,
        role: 'user',
        content: t.userMessage.content,
        status: 'completed',
        clientMessageId: userScopedId(t.userId, t.userMessage.clientMessageId),
        hidden: true,
        completedAt: sql<Date>`now()`,
      })
      .execute()
    answerParent = t.userMessage.id
    question = t.userMessage.content
  } else {
    const asked = await questionOf(trx, t.conversationId, t.answerOf)
    if ('outcome' in asked) return asked
    answerParent = asked.id
    question = asked.content
  }
  seq += 1
  await trx
    .insertInto('messages')
    .values({
      id: t.assistantMessageId,
      conversationId: t.conversationId,
      parentId: answerParent,
      seq,
      role: 'assistant',
      content: '',
      model,
      status: 'pending',
      clientMessageId: t.kind === 'regenerate' ? userScopedId(t.userId, t.clientMessageId) : null,
      hidden: true,
      ownerInstance: t.owner,
    })
    .execute()
  await trx
    .updateTable('conversations')
    .set({
      lastSeq: seq,
      currentModel: model,
      activeMessageId: t.assistantMessageId,
      activityAt: sql<Date>`now()`,
      lastMessageAt: sql<Date>`now()`,
    })
    .where('id', '=', t.conversationId)
    .execute()
  const conversation = await moveActivePath(trx, {
    conversationId: t.conversationId,
    leafId: t.assistantMessageId,
    previewLength: t.previewLength,
  })
  const written = await selectBranchedMessages(trx)
    .where('messages.conversationId', '=', t.conversationId)
    .where('messages.seq', '>', locked.lastSeq)
    .orderBy('messages.seq')
    .execute()
  const assistant = written.at(-1)
  if (assistant === undefined) throw new Error('insertBranchTurn: the answer vanished')
  return {
    outcome: 'started',
    conversation,
    userMessage: t.kind === 'edit' ? (written[0] ?? null) : null,
    assistant,
    question,
  }
}

/** The user message a regeneration answers (read under the conversation's lock). */
async function questionOf(
  trx: Transaction<Database>,
  conversationId: string,
  answerOf: string | null,
): Promise<
  | { id: string; content: string }
  | Extract<BranchOutcome, { outcome: 'empty' | 'message_not_found' | 'wrong_role' }>
> {
  const messages = trx
    .selectFrom('messages')
    .select(['id', 'parentId', 'role', 'content'])
    .where('conversationId', '=', conversationId)
  if (answerOf === null) {
    const last = await messages
      .where('role', '=', 'user')
      .where('hidden', '=', false)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst()
    return last ?? { outcome: 'empty' }
  }
  const answer = await messages.where('id', '=', answerOf).executeTakeFirst()
  if (answer === undefined) return { outcome: 'message_not_found' }
  if (answer.role !== 'assistant' || answer.parentId === null)
    return { outcome: 'wrong_role', role: answer.role }
  const asked = await messages.where('id', '=', answer.parentId).executeTakeFirst()
  return asked ?? { outcome: 'empty' }
}
