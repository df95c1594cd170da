import { sql } from 'kysely'
import type { Conversation, Executor, Message, MessageStatus } from '../database'
import { selectBranchedMessages, type BranchedMessage } from './branches'
import { userScopedId } from '../scoped-id'
import { findConversation } from './conversations'
import { findMessageByClientId } from './messages'
import { uniqueViolation } from './pg-errors'

/**
 * The statements of a chat turn. A turn costs two: start (one statement, which also reads the
 * history) and finish (one statement) — plus one per checkpoint while the answer streams.
 */

/** What {@link startTurn} writes. Ids are chosen by the caller so the statement needs no round trip back. */
export interface TurnStart {
  userId: string
  /** null: create the conversation in the same statement. */
  conversationId: string | null
  userMessageId: string
  assistantMessageId: string
  clientMessageId: string
  content: string
  /** The model asked for; null keeps the conversation's (or, for a new one, the user's default, then `defaultModel`). */
  model: string | null
  defaultModel: string
  /** Change the system prompt (also on a new conversation); undefined keeps it. */
  systemPrompt?: string | null
  preview: string
  /** At most this many earlier messages come back as `history`. */
  historyLimit: number
  /** The instance that will generate the answer. */
  owner: string
}

/** A turn as it was started: what a repeated client id replays. */
export interface StartedTurn {
  conversation: Conversation
  /** The user message of a send or an edit; null for a regeneration. */
  userMessage: BranchedMessage | null
  assistant: BranchedMessage
}

/**
 * How starting a turn went. `duplicate`: the client id (or the chosen answer id) is already
 * used; `turn` is the turn it started when that was this user's turn of the same kind (a
 * retry to replay), else null. `busy`: an answer is live in the conversation. `not_found`: no
 * such conversation of the user's.
 */
export type TurnOutcome<Started> =
  | ({ outcome: 'started' } & Started)
  | {
      outcome: 'duplicate'
      field: 'clientMessageId' | 'assistantMessageId'
      turn: StartedTurn | null
    }
  | { outcome: 'busy'; activeMessageId: string | null }
  | { outcome: 'not_found' }

/** What {@link startTurn} returns: the updated conversation, the history, the user message's parent. */
export type TurnStarted = Conversation & {
  history: ContextMessage[]
  /** The leaf before this turn: the parent of the new user message. */
  previousLeafId: string | null
}

/**
 * Writes the user message and the pending answer (the next two seqs) and updates the
 * conversation, in ONE statement, which also returns the visible history before the turn
 * (newest first, as {@link loadContext} would) so the answer can start without another read.
 * The conversation update is conditional on `active_message_id is null`: under concurrency
 * Postgres re-checks that on the newest row version, so a second send while an answer is live
 * updates nothing. When nothing was written, further reads tell why (the common path costs one
 * statement).
 */
export async function startTurn(
  db: Executor,
  t: TurnStart,
): Promise<TurnOutcome<{ conversation: TurnStarted }>> {
  let started
  try {
    started = await insertTurn(db, t)
  } catch (error) {
    const constraint = uniqueViolation(error)
    if (constraint === null) throw error
    return {
      outcome: 'duplicate',
      field: constraint === 'messages_pkey' ? 'assistantMessageId' : 'clientMessageId',
      turn: await findSentTurn(db, t),
    }
  }
  if (started !== undefined) return { outcome: 'started', conversation: started }
  // Nothing written: a retry of a send that already started, a busy conversation, or not found.
  const turn = await findSentTurn(db, t)
  if (turn !== null) return { outcome: 'duplicate', field: 'clientMessageId', turn }
  const existing =
    t.conversationId === null
      ? undefined
      : await findConversation(db, { userId: t.userId, id: t.conversationId })
  if (existing === undefined) return { outcome: 'not_found' }
  return { outcome: 'busy', activeMessageId: existing.activeMessageId }
}

/** The send this user made with this client id, if any. */
async function findSentTurn(
  db: Executor,
  t: { userId: string; clientMessageId: string },
): Promise<StartedTurn | null> {
  const first = await findMessageByClientId(db, t)
  if (first === undefined || first.role !== 'user') return null
  const [conversation, assistant] = await Promise.all([
    findConversation(db, { userId: t.userId, id: first.conversationId }),
    findMessageBySeq(db, { conversationId: first.conversationId, seq: first.seq + 1 }),
  ])
  if (conversation === undefined || assistant === undefined) return null
  return { conversation, userMessage: first, assistant }
}

async function insertTurn(db: Executor, t: TurnStart): Promise<TurnStarted | undefined> {
  const setSystem = t.systemPrompt !== undefined
  // Client ids live in a key space per user: another user's id never collides with this one.
  const clientId = userScopedId(t.userId, t.clientMessageId)
  const system = t.systemPrompt ?? null
  // An existing conversation's row is locked first (FOR UPDATE returns its newest version), so
  // the leaf the user message hangs from is the one the conditional update then sees.
  const conversation =
    t.conversationId === null
      ? sql`insert into conversations
              (user_id, system_prompt, current_model, last_seq, message_count,
               last_message_at, activity_at, preview, active_message_id, leaf_message_id)
            values (${t.userId}, ${system},
                    coalesce(${t.model}, (select default_model from users where id = ${t.userId}),
                             ${t.defaultModel}),
                    2, 2, now(), now(), ${t.preview},
                    ${t.assistantMessageId}, ${t.assistantMessageId})
            returning *, null::uuid as previous_leaf_id`
      : sql`update conversations set
              last_seq = last_seq + 2,
              message_count = message_count + 2,
              last_message_at = now(),
              activity_at = now(),
              preview = ${t.preview},
              current_model = coalesce(${t.model}, current_model),
              system_prompt = case when ${setSystem} then ${system} else system_prompt end,
              active_message_id = ${t.assistantMessageId},
              leaf_message_id = ${t.assistantMessageId}
            from (select id, leaf_message_id from conversations
                  where id = ${t.conversationId} and user_id = ${t.userId}
                  for update) previous
            where conversations.id = previous.id
              and conversations.active_message_id is null
            returning conversations.*, previous.leaf_message_id as previous_leaf_id`
  // The history comes from the same statement: its snapshot does not include the rows it
  // inserts, so the sub-select sees exactly the messages before this turn.
  const result = await sql<TurnStarted>`
    with conv as (${conversation}),
    ins as (
      insert into messages
        (id, conversation_id, parent_id, seq, role, content, model, status, client_message_id,
         completed_at, owner_instance)
      select ${t.userMessageId}::uuid, id, previous_leaf_id, last_seq - 1, 'user', ${t.content},
             null, 'completed', ${clientId}::uuid, now(), null
      from conv
      union all
      select ${t.assistantMessageId}::uuid, id, ${t.userMessageId}::uuid, last_seq, 'assistant', '',
             current_model, 'pending', null, null, ${t.owner}
      from conv
    )
    select conv.*, (
      select coalesce(
        json_agg(json_build_object('role', h.role, 'content', h.content) order by h.seq desc),
        '[]'::json)
      from (
        select m.role, m.content, m.seq from messages m
        where m.conversation_id = conv.id and m.hidden = false
          and (m.role = 'user' or (m.status in ('completed', 'cancelled') and m.content <> ''))
        order by m.seq desc
        limit ${t.historyLimit}
      ) h
    ) as history
    from conv`.execute(db)
  return result.rows[0]
}

/** The message at `seq` in a conversation (no ownership check). */
async function findMessageBySeq(
  db: Executor,
  q: { conversationId: string; seq: number },
): Promise<BranchedMessage | undefined> {
  return selectBranchedMessages(db)
    .where('messages.conversationId', '=', q.conversationId)
    .where('messages.seq', '=', q.seq)
    .executeTakeFirst()
}

/** Saves the text streamed so far (a checkpoint); a finished answer is left alone. */
export async function checkpointAnswer(
  db: Executor,
  a: {
    id: string
    content: string
    /** Known once the stream has started: recovery can then ask the provider for the cost. */
    generationId?: string | null
    keyOwner?: 'server' | 'user'
  },
): Promise<void> {
  await db
    .updateTable('messages')
    .set({
      content: a.content,
      status: 'streaming',
      ...(a.generationId != null
        ? { generationId: a.generationId, keyOwner: a.keyOwner ?? 'server' }
        : {}),
    })
    .where('id', '=', a.id)
    .where('status', 'in', ['pending', 'streaming'])
    .execute()
}

/** The final state of an answer. */
export interface AnswerEnd {
  id: string
  conversationId: string
  content: string
  status: Extract<MessageStatus, 'completed' | 'error' | 'cancelled'>
  errorCode: string | null
  errorMessage: string | null
  promptTokens: number | null
  completionTokens: number | null
  cost: number | null
  /** Where `cost` came from; null when there is none. */
  costSource?: 'provider' | 'estimated' | null
  /** Whose provider key paid for the answer (default the server's). */
  keyOwner?: 'server' | 'user'
  /** The provider's id of the generation, when it sent one. */
  generationId?: string | null
  /** The UTC day (`YYYY-MM-DD`) the usage counts on; default the database's today. */
  day?: string
  /** Ask the provider for the real cost later (a job in `usage_reconciliations`). */
  reconcile?: boolean
}

/** How writing an answer's end went; `already_final` carries the state that stands. */
export type FinishOutcome =
  { outcome: 'finished' | 'already_final'; message: Message } | { outcome: 'not_found' }

/**
 * Writes an answer's end — content, status, error, usage, cost, completion time — and frees
 * its conversation for the next turn, in ONE statement. Only a live (`pending`/`streaming`)
 * answer is changed: a final state is never overwritten, whoever comes late gets it back.
 */
export async function finishAnswer(db: Executor, a: AnswerEnd): Promise<FinishOutcome> {
  const keyOwner = a.keyOwner ?? 'server'
  const day = a.day ?? null
  const reconcile = (a.reconcile ?? false) && a.generationId != null
  // The usage of the answer lands in the day's aggregate in the same statement (so a summary
  // or a budget check never sees an answer without its cost, nor a cost twice).
  const result = await sql<Message & { finished: boolean }>`
    with done as (
      update messages set
        content = ${a.content}, status = ${a.status},
        error_code = ${a.errorCode}, error_message = ${a.errorMessage},
        prompt_tokens = ${a.promptTokens}, completion_tokens = ${a.completionTokens},
        cost = ${a.cost}, cost_source = ${a.cost === null ? null : (a.costSource ?? null)},
        key_owner = ${keyOwner}, generation_id = ${a.generationId ?? null},
        completed_at = now()
      where id = ${a.id} and status in ('pending', 'streaming')
      returning *
    ),
    freed as (
      update conversations set active_message_id = null
      where id = ${a.conversationId} and active_message_id = ${a.id}
        and exists (select 1 from done)
    ),
    owner as (
      select user_id from conversations where id = ${a.conversationId}
    ),
    counted as (
      insert into usage_daily
        (user_id, day, model, key_owner, prompt_tokens, completion_tokens, cost_usd, answers)
      select owner.user_id, coalesce(${day}::date, (now() at time zone 'utc')::date),
             coalesce(done.model, ''), ${keyOwner}, coalesce(done.prompt_tokens, 0),
             coalesce(done.completion_tokens, 0), coalesce(done.cost, 0), 1
      from done, owner
      where done.cost is not null or done.prompt_tokens is not null
      on conflict (user_id, day, model, key_owner) do update set
        prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens,
        cost_usd = usage_daily.cost_usd + excluded.cost_usd,
        answers = usage_daily.answers + 1
    ),
    queued as (
      insert into usage_reconciliations (message_id, generation_id, user_id, day, model, key_owner)
      select done.id, done.generation_id, owner.user_id,
             coalesce(${day}::date, (now() at time zone 'utc')::date),
             coalesce(done.model, ''), ${keyOwner}
      from done, owner
      where ${reconcile} and done.generation_id is not null
      on conflict (message_id) do nothing
    )
    select done.*, true as finished from done
    union all
    select m.*, false as finished from messages m
    where m.id = ${a.id} and not exists (select 1 from done)`.execute(db)
  const row = result.rows[0]
  if (row === undefined) return { outcome: 'not_found' }
  const { finished, ...message } = row
  return { outcome: finished ? 'finished' : 'already_final', message }
}

/** A message as the model sees it. */
export interface ContextMessage {
  role: 'user' | 'assistant'
  content: string
}

/**
 * The visible history before `beforeSeq`, newest first, that can go to the model: user
 * messages and answers that completed or were stopped with text. Failed answers and
 * regenerated-away ones (hidden) stay out.
 */
export async function loadContext(
  db: Executor,
  q: { conversationId: string; beforeSeq: number; limit: number },
): Promise<ContextMessage[]> {
  return db
    .selectFrom('messages')
    .select(['role', 'content'])
    .where('conversationId', '=', q.conversationId)
    .where('seq', '<', q.beforeSeq)
    .where('hidden', '=', false)
    .where((eb) =>
      eb.or([
        eb('role', '=', 'user'),
        eb.and([eb('status', 'in', ['completed', 'cancelled']), eb('content', '<>', '')]),
      ]),
    )
    .orderBy('seq', 'desc')
    .limit(q.limit)
    .execute()
}

/** Stores a generated title unless the conversation has one (or the user set one). */
export async function setConversationTitleIfUnset(
  db: Executor,
  c: { userId: string; id: string; title: string },
): Promise<Conversation | undefined> {
  return db
    .updateTable('conversations')
    .set({ title: c.title })
    .where('id', '=', c.id)
    .where('userId', '=', c.userId)
    .where('title', 'is', null)
    .where('titleSetByUser', '=', false)
    .returningAll()
    .executeTakeFirst()
}
