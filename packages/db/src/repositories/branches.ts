import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import type { Conversation, Database, Executor, Message } from '../database'
import { lockConversation } from './conversations'

/**
 * Messages form a tree (`parent_id`); the conversation's active path ends at
 * `leaf_message_id`, and its messages are exactly the rows with `hidden = false`, so a page of
 * the path is an ordinary range scan of (conversation_id, seq). Moving the path flips the
 * `hidden` flag of the rows that leave or join it — only those.
 */

/** A message with its place among its siblings (the messages that share its parent). */
export type BranchedMessage = Message & {
  /** 1-based position among its siblings, in creation (`seq`) order. */
  branchIndex: number
  branchCount: number
}

/**
 * `select` of messages with their branch position: a lateral count over the siblings, which
 * reads the (conversation_id, parent_id, seq) index (roots are the rows with a null parent;
 * the gate on the outer row's parent keeps each branch of the union to one index range).
 */
export function selectBranchedMessages(db: Kysely<Database> | Transaction<Database>) {
  return db
    .selectFrom('messages')
    .innerJoinLateral(
      sql<{ branchCount: number; branchIndex: number }>`(
        select count(*)::int as branch_count,
               (count(*) filter (where s.seq <= messages.seq))::int as branch_index
        from (
          select x.seq from messages x
          where messages.parent_id is not null
            and x.conversation_id = messages.conversation_id and x.parent_id = messages.parent_id
          union all
          select x.seq from messages x
          where messages.parent_id is null
            and x.conversation_id = messages.conversation_id and x.parent_id is null
        ) s
      )`.as('b'),
      (join) => join.onTrue(),
    )
    .selectAll('messages')
    .select(['b.branchCount', 'b.branchIndex'])
}

/**
 * The messages that share this message's parent (itself included), in creation order, each
 * with its branch position: what a client switches between. Undefined when the message is not
 * the user's.
 */
export async function listSiblings(
  db: Executor,
  key: { userId: string; messageId: string },
): Promise<BranchedMessage[] | undefined> {
  const target = await db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .select(['messages.conversationId', 'messages.parentId'])
    .where('messages.id', '=', key.messageId)
    .where('conversations.userId', '=', key.userId)
    .executeTakeFirst()
  if (target === undefined) return undefined
  return selectBranchedMessages(db)
    .where('messages.conversationId', '=', target.conversationId)
    .where('messages.parentId', target.parentId === null ? 'is' : '=', target.parentId)
    .orderBy('messages.seq')
    .execute()
}

/** The newest leaf below `messageId` (itself when it has no children): the highest seq beneath it. */
async function newestLeafBelow(
  db: Executor,
  m: { conversationId: string; messageId: string },
): Promise<string | undefined> {
  const result = await sql<{ id: string }>`
    with recursive below as (
      select id, seq from messages
      where id = ${m.messageId} and conversation_id = ${m.conversationId}
      union all
      select c.id, c.seq from messages c
      join below on c.conversation_id = ${m.conversationId} and c.parent_id = below.id
    )
    select id from below order by seq desc limit 1`.execute(db)
  return result.rows[0]?.id
}

/**
 * Makes the path ending at `leafId` the active one, in one statement: walks up from the leaf
 * while it is off the path (the first visible ancestor is where the branches meet), hides the
 * old path below that point, shows the walked rows, and points the conversation at the leaf,
 * with `messageCount`/`preview` of the new path. Call with the conversation row locked.
 */
export async function moveActivePath(
  db: Executor,
  p: { conversationId: string; leafId: string; previewLength: number },
): Promise<Conversation> {
  const result = await sql<Conversation>`
    with recursive up as (
      select id, parent_id, seq, hidden, role, content from messages
      where id = ${p.leafId} and conversation_id = ${p.conversationId}
      union all
      select m.id, m.parent_id, m.seq, m.hidden, m.role, m.content from messages m
      join up on m.conversation_id = ${p.conversationId} and m.id = up.parent_id
      where up.hidden
    ),
    meet as (
      select coalesce(max(seq) filter (where not hidden), 0) as seq from up
    ),
    hide as (
      update messages set hidden = true
      where conversation_id = ${p.conversationId} and hidden = false
        and seq > (select seq from meet)
      returning role, seq
    ),
    shown as (
      update messages set hidden = false
      where id in (select id from up where hidden)
      returning id
    ),
    last_user as (
      select content from (
        select content, seq from up where hidden and role = 'user'
        union all
        select content, seq from messages
        where conversation_id = ${p.conversationId} and hidden = false and role = 'user'
          and seq <= (select seq from meet)
      ) u
      order by seq desc limit 1
    )
    update conversations set
      leaf_message_id = ${p.leafId},
      message_count = message_count
        + (select count(*) from up where hidden) - (select count(*) from hide),
      preview = (select left(content, ${p.previewLength}) from last_user)
    where id = ${p.conversationId}
    returning *`.execute(db)
  const row = result.rows[0]
  if (row === undefined) throw new Error('moveActivePath: conversation vanished')
  return row
}

/**
 * `conversation.selectBranch`: the active path runs through `messageId`, down to the newest
 * leaf beneath it. Undefined when the conversation or the message (in it) is not the user's;
 * `busy` while an answer in the conversation is live.
 */
export async function selectBranch(
  trx: Transaction<Database>,
  s: { userId: string; conversationId: string; messageId: string; previewLength: number },
): Promise<Conversation | 'busy' | undefined> {
  const locked = await lockConversation(trx, { userId: s.userId, id: s.conversationId })
  if (!locked) return undefined
  const leafId = await newestLeafBelow(trx, {
    conversationId: s.conversationId,
    messageId: s.messageId,
  })
  if (leafId === undefined) return undefined
  if (locked.activeMessageId !== null) return 'busy'
  if (leafId === locked.leafMessageId) return locked
  return moveActivePath(trx, {
    conversationId: s.conversationId,
    leafId,
    previewLength: s.previewLength,
  })
}

/**
 * `conversation.fork`: a new conversation (same title, system prompt and model) holding a copy
 * of the path from the root down to `messageId`, in one statement. Undefined when the message
 * is not the user's; `busy` while an answer in its conversation is live.
 */
export async function forkPath(
  db: Executor,
  f: { userId: string; messageId: string; previewLength: number },
): Promise<Conversation | 'busy' | undefined> {
  const result = await sql<Conversation & { sourceBusy: boolean }>`
    with recursive source as (
      select c.* from conversations c
      join messages m on m.conversation_id = c.id
      where m.id = ${f.messageId} and c.user_id = ${f.userId}
    ),
    up as (
      select m.* from messages m, source
      where m.id = ${f.messageId} and m.conversation_id = source.id
      union all
      select m.* from messages m
      join up on m.conversation_id = up.conversation_id and m.id = up.parent_id
    ),
    path as materialized (
      select up.*, row_number() over (order by seq)::int as n, gen_random_uuid() as new_id
      from up
    ),
    copy as (
      insert into conversations
        (user_id, title, title_set_by_user, system_prompt, current_model, message_count,
         last_seq, preview, last_message_at, activity_at, leaf_message_id)
      select source.user_id, source.title, source.title_set_by_user, source.system_prompt,
             source.current_model, p.n, p.n,
             (select left(content, ${f.previewLength}) from path
              where role = 'user' order by n desc limit 1),
             p.created_at, now(), p.new_id
      from source, (select n, new_id, created_at from path order by n desc limit 1) p
      where source.active_message_id is null
      returning *
    ),
    ins as (
      insert into messages
        (id, conversation_id, parent_id, seq, role, content, model, status, error_code,
         error_message, prompt_tokens, completion_tokens, cost, created_at, completed_at)
      select p.new_id, copy.id, lag(p.new_id) over (order by p.n), p.n, p.role, p.content,
             p.model, p.status, p.error_code, p.error_message, p.prompt_tokens,
             p.completion_tokens, p.cost, p.created_at, p.completed_at
      from path p, copy
    )
    select copy.*, false as source_busy from copy
    union all
    select source.*, true from source where source.active_message_id is not null`.execute(db)
  const row = result.rows[0]
  if (row === undefined) return undefined
  const { sourceBusy, ...conversation } = row
  return sourceBusy ? 'busy' : conversation
}
