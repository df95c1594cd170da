import type { Transaction } from 'kysely'
import { sql } from 'kysely'
import type { Conversation, Database } from '../database'
import { moveActivePath, selectBranchedMessages, type BranchedMessage } from './branches'
import { lockConversation } from './conversations'

/** What {@link startBranchTurn} writes: a new branch under `parentId`, made active. */
export interface BranchTurnStart {
  userId: string
  conversationId: string
  /**
   * Where the new branch hangs: a message (the edited message's parent, or the user message
   * answered again; null for a new root), or the active path's last user message.
   */
  parent: { messageId: string | null } | 'last_user'

  /** An edit writes a new user message first; a regeneration does not. */
  userMessage: { id: string; content: string; clientMessageId: string } | null
  assistantMessageId: string
  /** A regeneration's client id sits on its answer (an edit's on its user message). */
  assistantClientMessageId: string | null
  /** null keeps the conversation's model. */
  model: string | null
  previewLength: number
}

export type BranchTurnOutcome =
  | {
      outcome: 'started'
      conversation: Conversation
      userMessage: BranchedMessage | null
      assistant: BranchedMessage
      /** The text of the user message the answer replies to. */
      question: string
    }
  | { outcome: 'busy'; activeMessageId: string | null }
  | { outcome: 'not_found' }
  /** `last_user` in a conversation without a user message. */
  | { outcome: 'empty' }

/**
 * Starts an answer on a new branch, in one transaction with the conversation row locked: the
 * new user message (an edit) and the pending answer take the next seqs, off the path at first;
 * then the active path moves to the answer (hiding the old branch below the fork point, which
 * is kept) and the conversation is marked busy with it. Nothing is written while another answer
 * is live (`busy`). A repeated client id throws the unique violation.
 */
export async function startBranchTurn(
  trx: Transaction<Database>,
  t: BranchTurnStart,
): Promise<BranchTurnOutcome> {
  const locked = await lockConversation(trx, { userId: t.userId, id: t.conversationId })
  if (!locked) return { outcome: 'not_found' }
  if (locked.activeMessageId !== null)
    return { outcome: 'busy', activeMessageId: locked.activeMessageId }
  let parentId: string | null
  if (t.parent === 'last_user') {
    const lastUser = await trx
      .selectFrom('messages')
      .select('id')
      .where('conversationId', '=', t.conversationId)
      .where('role', '=', 'user')
      .where('hidden', '=', false)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (lastUser === undefined) return { outcome: 'empty' }
    parentId = lastUser.id
  } else parentId = t.parent.messageId
  const model = t.model ?? locked.currentModel
  let seq = locked.lastSeq
  if (t.userMessage !== null) {
    seq += 1
    await trx
      .insertInto('messages')
      .values({
        id: t.userMessage.id,
        conversationId: t.conversationId,
        parentId,
        seq,
        role: 'user',
        content: t.userMessage.content,
        status: 'completed',
        clientMessageId: t.userMessage.clientMessageId,
        hidden: true,
        completedAt: sql<Date>`now()`,
      })
      .execute()
    parentId = t.userMessage.id
  }
  seq += 1
  await trx
    .insertInto('messages')
    .values({
      id: t.assistantMessageId,
      conversationId: t.conversationId,
      parentId,
      seq,
      role: 'assistant',
      content: '',
      model,
      status: 'pending',
      clientMessageId: t.assistantClientMessageId,
      hidden: true,
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
  if (assistant === undefined) throw new Error('startBranchTurn: the answer vanished')
  const question =
    t.userMessage?.content ??
    (
      await trx
        .selectFrom('messages')
        .select('content')
        .where('id', '=', parentId)
        .executeTakeFirst()
    )?.content ??
    ''
  return {
    outcome: 'started',
    conversation,
    userMessage: t.userMessage === null ? null : (written[0] ?? null),
    assistant,
    question,
  }
}
