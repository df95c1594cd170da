import { once } from 'node:events'
import { createWriteStream } from 'node:fs'

/** Options of {@link writeChatGptExport}. */
export interface ChatGptExportOptions {
  conversations: number
  /** User/assistant turns per conversation (default 4); every fifth conversation has a branch. */
  turns?: number
  /** Characters per message (default 400). */
  messageLength?: number
  /** Changes every conversation id (default 1). */
  seed?: number
}

const WORDS = 'the of and to in is you that it for on with as are this be at have from or'.split(
  ' ',
)

function text(n: number, salt: number): string {
  let out = ''
  for (let i = 0; out.length < n; i++) out += `${WORDS[(i * 7 + salt) % WORDS.length] ?? 'x'} `
  return out.slice(0, n)
}

/**
 * One synthetic conversation shaped like an element of ChatGPT's `conversations.json`: a null
 * root, a hidden system node, user/assistant turns, and (every fifth) a regenerated answer.
 */
export function chatGptConversation(
  i: number,
  opts: Omit<ChatGptExportOptions, 'conversations'>,
): Record<string, unknown> {
  const turns = opts.turns ?? 4
  const length = opts.messageLength ?? 400
  const id = `${(opts.seed ?? 1).toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`
  const start = 1_700_000_000 + i * 600
  const mapping: Record<string, unknown> = {}
  const node = (key: string, parent: string | null, message: unknown) => {
    mapping[key] = { id: key, message, parent, children: [] }
    if (parent !== null) (mapping[parent] as { children: string[] }).children.push(key)
  }
  const message = (key: string, role: string, t: number, body: string, extra = {}) => ({
    id: key,
    author: { role, name: null, metadata: {} },
    create_time: t,
    update_time: null,
    content: { content_type: 'text', parts: [body] },
    status: 'finished_successfully',
    end_turn: role === 'assistant' ? true : null,
    weight: 1,
    metadata:
      role === 'assistant' ? { model_slug: 'gpt-4o', finish_details: { type: 'stop' } } : {},
    recipient: 'all',
    ...extra,
  })
  node('root', null, null)
  node('system', 'root', {
    ...message('system', 'system', start, ''),
    metadata: { is_visually_hidden_from_conversation: true },
  })
  let parent = 'system'
  let t = start
  for (let turn = 0; turn < turns; turn++) {
    const u = `u${turn}`
    const a = `a${turn}`
    node(u, parent, message(u, 'user', (t += 5), text(length / 4, i + turn)))
    node(a, u, message(a, 'assistant', (t += 5), text(length, i * 3 + turn)))
    if (turn === 0 && i % 5 === 0)
      node(`${a}b`, u, message(`${a}b`, 'assistant', (t += 5), text(length, i)))
    parent = a
  }
  return {
    title: `Conversation ${i}`,
    create_time: start,
    update_time: t,
    mapping,
    moderation_results: [],
    current_node: parent,
    plugin_ids: null,
    conversation_id: id,
    default_model_slug: 'gpt-4o',
    is_archived: false,
    safe_urls: [],
    id,
  }
}

/**
 * Writes a ChatGPT-shaped `conversations.json` of `conversations` synthetic conversations,
 * one at a time (constant memory), for tests and the benchmark.
 */
export async function writeChatGptExport(path: string, opts: ChatGptExportOptions): Promise<void> {
  const out = createWriteStream(path)
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await once(out, 'drain')
  }
  await write('[')
  for (let i = 0; i < opts.conversations; i++) {
    await write(`${i === 0 ? '' : ','}\n${JSON.stringify(chatGptConversation(i, opts))}`)
  }
  await write('\n]\n')
  out.end()
  await once(out, 'finish')
}
