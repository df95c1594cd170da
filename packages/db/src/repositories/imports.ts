import { sql, type Transaction } from 'kysely'
import type {
  Conversation,
  Database,
  Executor,
  Message,
  MessageRole,
  MessageStatus,
} from '../database'

/** One message of a conversation to import; `id`/`parentId` are fresh ids chosen by the caller. */
export interface ImportMessage {
  id: string
  parentId: string | null
  role: MessageRole
  content: string
  model: string | null
  status: Exclude<MessageStatus, 'pending' | 'streaming'>
  errorCode: string | null
  errorMessage: string | null
  promptTokens: number | null
  completionTokens: number | null
  cost: number | null
  createdAt: Date
  completedAt: Date | null
}

/** A whole conversation to import: messages parents first, and the end of its active path. */
export interface ImportDraft {
  title: string | null
  systemPrompt: string | null
  currentModel: string
  pinned: boolean
  createdAt: Date
  messages: ImportMessage[]
  leafId: string | null
}

/** Where an import came from: the same source imported twice by a user is one conversation. */
export interface ImportSource {
  userId: string
  format: string
  sourceId: string
}

/** The conversation a source was imported into before, with what that import skipped. */
export async function findImport(
  db: Executor,
  s: ImportSource,
): Promise<{ conversation: Conversation; skipped: number; messageCount: number } | undefined> {
  const row = await db
    .selectFrom('conversationImports as i')
    .innerJoin('conversations as c', 'c.id', 'i.conversationId')
    .selectAll('c')
    .select(['i.skipped as importSkipped'])
    .select((eb) =>
      eb
        .selectFrom('messages')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('messages.conversationId', '=', 'c.id')
        .as('totalMessages'),
    )
    .where('i.userId', '=', s.userId)
    .where('i.format', '=', s.format)
    .where('i.sourceId', '=', s.sourceId)
    .executeTakeFirst()
  if (row === undefined) return undefined
  const { importSkipped, totalMessages, ...conversation } = row
  return { conversation, skipped: importSkipped, messageCount: Number(totalMessages ?? 0) }
}

/**
 * Writes an imported conversation — the conversation, every message of every branch, and the
 * record of its source — inside the caller's transaction: the conversation and its messages in
 * one statement (the leaf's foreign key is checked at its end). The active path (root → leaf)
 * is stored as the visible rows. `duplicate` when a concurrent import of the same source won:
 * the caller rolls back and returns that one.
 */
export async function insertImport(
  trx: Transaction<Database>,
  source: ImportSource & { skipped: number },
  draft: ImportDraft,
  previewLength: number,
): Promise<{ kind: 'created'; conversation: Conversation } | { kind: 'duplicate' }> {
  const byId = new Map(draft.messages.map((m) => [m.id, m]))
  const onPath = new Set<string>()
  for (let at = draft.leafId === null ? undefined : byId.get(draft.leafId); at;) {
    onPath.add(at.id)
    at = at.parentId === null ? undefined : byId.get(at.parentId)
  }
  const path = draft.messages.filter((m) => onPath.has(m.id))
  const lastUser = path.filter((m) => m.role === 'user').at(-1)
  const lastAt = draft.messages.reduce<Date | null>(
    (latest, m) => (latest === null || m.createdAt > latest ? m.createdAt : latest),
    null,
  )
  const rows = draft.messages.map((m, i) => ({
    id: m.id,
    parent_id: m.parentId,
    seq: i + 1,
    role: m.role,
    content: m.content,
    model: m.model,
    status: m.status,
    error_code: m.errorCode,
    error_message: m.errorMessage,
    prompt_tokens: m.promptTokens,
    completion_tokens: m.completionTokens,
    cost: m.cost,
    hidden: !onPath.has(m.id),
    created_at: m.createdAt.toISOString(),
    completed_at: m.completedAt?.toISOString() ?? null,
  }))
  const inserted = await sql<Conversation>`
    with conv as (
      insert into conversations
        (user_id, title, title_set_by_user, system_prompt, current_model, pinned, message_count,
         last_seq, preview, last_message_at, activity_at, created_at, leaf_message_id)
      values (${source.userId}, ${draft.title}, ${draft.title !== null}, ${draft.systemPrompt},
              ${draft.currentModel}, ${draft.pinned}, ${path.length}, ${rows.length},
              ${lastUser === undefined ? null : lastUser.content.slice(0, previewLength)},
              ${lastAt}, ${lastAt ?? draft.createdAt}, ${draft.createdAt}, ${draft.leafId})
      returning *
    ),
    ins as (
      insert into messages
        (id, conversation_id, parent_id, seq, role, content, model, status, error_code,
         error_message, prompt_tokens, completion_tokens, cost, hidden, created_at, completed_at)
      select m.id, conv.id, m.parent_id, m.seq, m.role, m.content, m.model, m.status,
             m.error_code, m.error_message, m.prompt_tokens, m.completion_tokens, m.cost,
             m.hidden, m.created_at, m.completed_at
      from conv, jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as m(
        id uuid, parent_id uuid, seq int, role text, content text, model text, status text,
        error_code text, error_message text, prompt_tokens int, completion_tokens int,
        cost double precision, hidden boolean, created_at timestamptz, completed_at timestamptz)
    )
    select * from conv`.execute(trx)
  const conversation = inserted.rows[0]
  if (conversation === undefined) throw new Error('insertImport: the conversation was not created')
  const recorded = await trx
    .insertInto('conversationImports')
    .values({
      userId: source.userId,
      format: source.format,
      sourceId: source.sourceId,
      conversationId: conversation.id,
      skipped: source.skipped,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('conversationId')
    .executeTakeFirst()
  return recorded === undefined ? { kind: 'duplicate' } : { kind: 'created', conversation }
}

/** The user's conversation with every message of every branch, in creation (`seq`) order. */
export async function loadConversationTree(
  db: Executor,
  key: { userId: string; id: string },
): Promise<{ conversation: Conversation; messages: Message[] } | undefined> {
  const conversation = await db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', key.id)
    .where('userId', '=', key.userId)
    .executeTakeFirst()
  if (conversation === undefined) return undefined
  const messages = await db
    .selectFrom('messages')
    .selectAll()
    .where('conversationId', '=', conversation.id)
    .orderBy('seq', 'asc')
    .execute()
  return { conversation, messages }
}
