import { sql } from 'kysely'
import type { Conversation, Executor, Message, MessageRole, MessageStatus } from '../database'

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
  /** Where `cost` came from in the exporting app (null: unknown). */
  costSource: 'provider' | 'estimated' | null
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

/** Postgres' unique_violation: a concurrent import of the same source committed first. */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505'
}

/**
 * Writes an imported conversation — the conversation, every message of every branch, and the
 * record of its source — in ONE statement (so all of it or nothing, in one round trip; the
 * leaf's foreign key is checked at its end), unless the user imported this source before.
 * The active path (root → leaf) is stored as the visible rows. `duplicate` when the source was
 * imported before (or a concurrent import of it won): nothing is written.
 */
export async function insertImport(
  db: Executor,
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
    cost_source: m.costSource,
    hidden: !onPath.has(m.id),
    created_at: m.createdAt.toISOString(),
    completed_at: m.completedAt?.toISOString() ?? null,
  }))
  try {
    const inserted = await sql<Conversation>`
      with conv as (
        insert into conversations
          (user_id, title, title_set_by_user, system_prompt, current_model, pinned, message_count,
           last_seq, preview, last_message_at, activity_at, created_at, leaf_message_id)
        select ${source.userId}, ${draft.title}, ${draft.title !== null}, ${draft.systemPrompt},
               ${draft.currentModel}, ${draft.pinned}, ${path.length}, ${rows.length},
               ${lastUser === undefined ? null : lastUser.content.slice(0, previewLength)},
               ${lastAt}::timestamptz, ${lastAt ?? draft.createdAt}::timestamptz,
               ${draft.createdAt}::timestamptz, ${draft.leafId}::uuid
        where not exists (
          select from conversation_imports
          where user_id = ${source.userId} and format = ${source.format}
            and source_id = ${source.sourceId})
        returning *
      ),
      ins as (
        insert into messages
          (id, conversation_id, parent_id, seq, role, content, model, status, error_code,
           error_message, prompt_tokens, completion_tokens, cost, cost_source, hidden, created_at,
           completed_at)
        select m.id, conv.id, m.parent_id, m.seq, m.role, m.content, m.model, m.status,
               m.error_code, m.error_message, m.prompt_tokens, m.completion_tokens, m.cost,
               m.cost_source, m.hidden, m.created_at, m.completed_at
        from conv, jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as m(
          id uuid, parent_id uuid, seq int, role text, content text, model text, status text,
          error_code text, error_message text, prompt_tokens int, completion_tokens int,
          cost double precision, cost_source text, hidden boolean, created_at timestamptz,
          completed_at timestamptz)
      ),
      recorded as (
        insert into conversation_imports (user_id, format, source_id, conversation_id, skipped)
        select conv.user_id, ${source.format}, ${source.sourceId}, conv.id, ${source.skipped}
        from conv
      )
      select * from conv`.execute(db)
    const conversation = inserted.rows[0]
    return conversation === undefined ? { kind: 'duplicate' } : { kind: 'created', conversation }
  } catch (error) {
    // The statement as a whole failed and wrote nothing.
    if (isUniqueViolation(error)) return { kind: 'duplicate' }
    throw error
  }
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
