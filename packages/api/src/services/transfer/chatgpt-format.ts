import { randomUUID } from 'node:crypto'
import type { ImportDraft, ImportMessage } from '@t3chat/db'
import { z } from 'zod'
import { LIMITS } from '../../routers/inputs'
import { ImportDataError, NUL_FREE, NUL_MESSAGE } from './import-error'

// One element of a ChatGPT `conversations.json` export. Only what the import reads is
// described; everything else (moderation results, plugin ids, …) passes untouched.
const seconds = z.number().finite().min(0).max(32_503_680_000).nullish()
const chatMessageSchema = z.looseObject({
  author: z.looseObject({ role: z.string() }),
  create_time: seconds,
  content: z.looseObject({
    content_type: z.string(),
    parts: z.array(z.unknown()).optional(),
  }),
  metadata: z
    .looseObject({
      model_slug: z.string().max(LIMITS.model).nullish(),
      is_visually_hidden_from_conversation: z.boolean().nullish(),
    })
    .nullish(),
  recipient: z.string().nullish(),
})
const nodeSchema = z.looseObject({
  message: chatMessageSchema.nullish(),
  parent: z.string().nullish(),
  children: z.array(z.string()).optional(),
})
const conversationSchema = z.looseObject({
  title: z.string().nullish(),
  create_time: seconds,
  mapping: z.record(z.string(), nodeSchema),
  current_node: z.string().nullish(),
  conversation_id: z.string().min(1).max(200).optional(),
  id: z.string().min(1).max(200).optional(),
  default_model_slug: z.string().max(LIMITS.model).nullish(),
})

type ChatNode = z.infer<typeof nodeSchema>

/** ChatGPT names models without a vendor ("gpt-4o"); ours carry one ("openai/gpt-4o"). */
function modelId(slug: string | null | undefined): string | null {
  if (slug === null || slug === undefined || slug === '') return null
  return slug.includes('/') ? slug : `openai/${slug}`
}

/**
 * The text of a node worth importing, with how many parts of it were left out; null when the
 * whole node is skipped (system, tool and hidden nodes, tool calls, non-text content).
 */
function readNode(id: string, node: ChatNode): { text: string; skippedParts: number } | null {
  const message = node.message
  if (message === null || message === undefined) return null
  const role = message.author.role
  if (role !== 'user' && role !== 'assistant') return null
  if (message.recipient !== null && message.recipient !== undefined && message.recipient !== 'all')
    return null
  if (message.metadata?.is_visually_hidden_from_conversation === true) return null
  const type = message.content.content_type
  if (type !== 'text' && type !== 'multimodal_text') return null
  const texts: string[] = []
  let skippedParts = 0
  for (const [i, part] of (message.content.parts ?? []).entries()) {
    if (typeof part !== 'string') {
      skippedParts++
      continue
    }
    if (!NUL_FREE(part))
      throw new ImportDataError(`mapping.${id}.message.content.parts.${i}`, NUL_MESSAGE)
    if (part !== '') texts.push(part)
  }
  const text = texts.join('\n\n')
  if (text.length > LIMITS.content)
    throw new ImportDataError(
      `mapping.${id}.message.content.parts`,
      `too long (over ${LIMITS.content} characters)`,
    )
  return text === '' ? null : { text, skippedParts }
}

/** Checks the mapping is one forest whose links agree; throws at the first bad path. */
function checkTree(mapping: Record<string, ChatNode>): void {
  for (const [id, node] of Object.entries(mapping)) {
    const parent = node.parent
    if (parent !== null && parent !== undefined && !Object.hasOwn(mapping, parent))
      throw new ImportDataError(`mapping.${id}.parent`, `no node "${parent}" in mapping`)
    for (const [i, child] of (node.children ?? []).entries()) {
      if (!Object.hasOwn(mapping, child))
        throw new ImportDataError(`mapping.${id}.children.${i}`, `no node "${child}" in mapping`)
    }
  }
  // Every walk up must reach a root within as many steps as there are nodes.
  const depthKnown = new Set<string>()
  for (const id of Object.keys(mapping)) {
    const seen = new Set<string>()
    for (let at: string | null | undefined = id; at !== null && at !== undefined;) {
      if (depthKnown.has(at)) break
      if (seen.has(at)) throw new ImportDataError(`mapping.${at}.parent`, 'forms a cycle')
      seen.add(at)
      at = mapping[at]?.parent
    }
    for (const s of seen) depthKnown.add(s)
  }
}

/**
 * Reads one ChatGPT conversation into a draft: its `mapping` tree becomes branches (a skipped
 * node's children hang from its nearest kept ancestor), `current_node` the active leaf, times
 * kept. Throws ImportDataError at the first bad path.
 */
export function fromChatGptConversation(
  data: unknown,
  fallbackModel: string,
): { sourceId: string; draft: ImportDraft; skipped: number } {
  const parsed = conversationSchema.safeParse(data)
  if (!parsed.success) throw ImportDataError.fromZod(parsed.error)
  const doc = parsed.data
  const sourceId = doc.conversation_id ?? doc.id
  if (sourceId === undefined)
    throw new ImportDataError('conversation_id', 'missing (and no id either)')
  const mapping = doc.mapping
  checkTree(mapping)
  if (
    doc.current_node !== null &&
    doc.current_node !== undefined &&
    !Object.hasOwn(mapping, doc.current_node)
  )
    throw new ImportDataError('current_node', `no node "${doc.current_node}" in mapping`)

  const createdAt = new Date((doc.create_time ?? Date.now() / 1000) * 1000)
  const children = new Map<string | null, string[]>()
  for (const [id, node] of Object.entries(mapping)) {
    const parent = node.parent ?? null
    const list = children.get(parent) ?? []
    list.push(id)
    children.set(parent, list)
  }

  // Depth-first from the roots, so every parent comes before its children.
  const messages: ImportMessage[] = []
  const keptAs = new Map<string, string | null>()
  let skipped = 0
  const stack: Array<{ id: string; parent: string | null; time: Date }> = (children.get(null) ?? [])
    .map((id) => ({ id, parent: null, time: createdAt }))
    .reverse()
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const node = mapping[item.id]
    if (node === undefined) continue
    const read = readNode(item.id, node)
    const seconds = node.message?.create_time
    const time = seconds === null || seconds === undefined ? item.time : new Date(seconds * 1000)
    let parentForChildren = item.parent
    if (read === null) {
      if (node.message !== null && node.message !== undefined) skipped++
    } else {
      skipped += read.skippedParts
      const id = randomUUID()
      const role = node.message?.author.role === 'user' ? 'user' : 'assistant'
      messages.push({
        id,
        parentId: item.parent,
        role,
        content: read.text,
        model: role === 'assistant' ? modelId(node.message?.metadata?.model_slug) : null,
        status: 'completed',
        errorCode: null,
        errorMessage: null,
        promptTokens: null,
        completionTokens: null,
        cost: null,
        costSource: null,
        createdAt: time,
        completedAt: role === 'assistant' ? time : null,
      })
      parentForChildren = id
    }
    keptAs.set(item.id, parentForChildren)
    for (const child of [...(children.get(item.id) ?? [])].reverse())
      stack.push({ id: child, parent: parentForChildren, time })
  }

  const current = doc.current_node
  const leafId =
    (current === null || current === undefined ? undefined : keptAs.get(current)) ??
    messages.at(-1)?.id ??
    null
  const lastModel = messages.findLast((m) => m.model !== null)?.model
  const title = doc.title?.replaceAll('\u0000', '').trim().slice(0, LIMITS.title) ?? ''
  return {
    sourceId,
    skipped,
    draft: {
      title: title === '' ? null : title,
      systemPrompt: null,
      currentModel: modelId(doc.default_model_slug) ?? lastModel ?? fallbackModel,
      pinned: false,
      createdAt,
      messages: orderByTime(messages),
      leafId,
    },
  }
}

/**
 * Creation order for `seq`: by time, unless a clock oddity would put a child before its
 * parent — then the depth-first order stands.
 */
function orderByTime(messages: ImportMessage[]): ImportMessage[] {
  const sorted = messages
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.createdAt.getTime() - b.m.createdAt.getTime() || a.i - b.i)
    .map((x) => x.m)
  const placed = new Set<string>()
  for (const m of sorted) {
    if (m.parentId !== null && !placed.has(m.parentId)) return messages
    placed.add(m.id)
  }
  return sorted
}
