import { randomUUID } from 'node:crypto'
import type {
  Conversation as ConversationRow,
  ImportDraft,
  Message as MessageRow,
} from '@t3chat/db'
import { z } from 'zod'
import { toMessageError, toUsage } from '../../mappers'
import { LIMITS } from '../../routers/inputs'
import { ImportDataError, NUL_FREE, NUL_MESSAGE } from './import-error'

const text = (max: number) => z.string().max(max).refine(NUL_FREE, NUL_MESSAGE)
const time = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' })
const sourceId = z.string().min(1).max(200)

const messageSchema = z.object({
  id: sourceId,
  parentId: sourceId.nullable(),
  role: z.enum(['user', 'assistant']),
  content: text(LIMITS.content),
  model: text(LIMITS.model).nullable(),
  status: z.enum(['pending', 'streaming', 'completed', 'error', 'cancelled']),
  error: z.object({ code: text(100).min(1), message: text(10_000) }).nullable(),
  usage: z
    .object({
      promptTokens: z.number().int().min(0),
      completionTokens: z.number().int().min(0),
      cost: z.number().min(0).nullable(),
      costSource: z.enum(['provider', 'estimated']).nullable().optional(),
    })
    .nullable(),
  createdAt: time,
  completedAt: time.nullable(),
})

/** The `t3chat` v1 export of one conversation: every branch, in creation order. */
export const t3chatDocumentSchema = z.object({
  format: z.literal('t3chat'),
  version: z.literal(1),
  exportedAt: time.optional(),
  conversation: z.object({
    id: sourceId,
    title: text(LIMITS.title).nullable(),
    systemPrompt: text(LIMITS.systemPrompt).nullable(),
    currentModel: text(LIMITS.model).min(1),
    pinned: z.boolean(),
    createdAt: time,
    updatedAt: time,
    leafMessageId: sourceId.nullable(),
  }),
  messages: z.array(messageSchema),
})

export type T3chatDocument = z.infer<typeof t3chatDocumentSchema>

/** A conversation and all its messages (any order; written in `seq` order) as a v1 document. */
export function toT3chatDocument(
  conversation: ConversationRow,
  messages: MessageRow[],
  exportedAt: Date,
): T3chatDocument {
  return {
    format: 't3chat',
    version: 1,
    exportedAt: exportedAt.toISOString(),
    conversation: {
      id: conversation.id,
      title: conversation.title,
      systemPrompt: conversation.systemPrompt,
      currentModel: conversation.currentModel,
      pinned: conversation.pinned,
      createdAt: conversation.createdAt.toISOString(),
      updatedAt: conversation.updatedAt.toISOString(),
      leafMessageId: conversation.leafMessageId,
    },
    messages: [...messages]
      .sort((a, b) => a.seq - b.seq)
      .map((m) => ({
        id: m.id,
        parentId: m.parentId,
        role: m.role,
        content: m.content,
        model: m.model,
        status: m.status,
        error: toMessageError(m),
        usage: toUsage(m),
        createdAt: m.createdAt.toISOString(),
        completedAt: m.completedAt?.toISOString() ?? null,
      })),
  }
}

/**
 * Reads a v1 document into a draft with fresh ids (the same tree, parents first). An answer
 * exported while it was still generating comes back `cancelled`. Throws ImportDataError at
 * the first bad path.
 */
export function fromT3chatDocument(data: unknown): {
  sourceId: string
  draft: ImportDraft
  skipped: number
} {
  const parsed = t3chatDocumentSchema.safeParse(data)
  if (!parsed.success) throw ImportDataError.fromZod(parsed.error)
  const doc = parsed.data
  const ids = new Map<string, string>()
  const messages = doc.messages.map((m, i) => {
    if (ids.has(m.id)) throw new ImportDataError(`messages.${i}.id`, 'appears twice')
    const parentId = m.parentId === null ? null : ids.get(m.parentId)
    if (parentId === undefined)
      throw new ImportDataError(`messages.${i}.parentId`, 'must be the id of an earlier message')
    if ((m.status === 'error') !== (m.error !== null))
      throw new ImportDataError(`messages.${i}.error`, 'must be set exactly when status is error')
    const id = randomUUID()
    ids.set(m.id, id)
    return {
      id,
      parentId,
      role: m.role,
      content: m.content,
      model: m.model,
      status: m.status === 'pending' || m.status === 'streaming' ? 'cancelled' : m.status,
      errorCode: m.error?.code ?? null,
      errorMessage: m.error?.message ?? null,
      promptTokens: m.usage?.promptTokens ?? null,
      completionTokens: m.usage?.completionTokens ?? null,
      cost: m.usage?.cost ?? null,
      costSource: m.usage?.cost == null ? null : (m.usage.costSource ?? null),
      createdAt: new Date(m.createdAt),
      completedAt: m.completedAt === null ? null : new Date(m.completedAt),
    } as const
  })
  const { leafMessageId } = doc.conversation
  const leafId = leafMessageId === null ? null : ids.get(leafMessageId)
  if (leafId === undefined || (leafId === null && messages.length > 0))
    throw new ImportDataError('conversation.leafMessageId', 'must be the id of one of the messages')
  return {
    sourceId: doc.conversation.id,
    skipped: 0,
    draft: {
      title: doc.conversation.title,
      systemPrompt: doc.conversation.systemPrompt,
      currentModel: doc.conversation.currentModel,
      pinned: doc.conversation.pinned,
      createdAt: new Date(doc.conversation.createdAt),
      messages,
      leafId,
    },
  }
}
