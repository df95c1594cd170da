import type { AuthUser } from '@t3chat/auth'
import { loadConversationTree } from '@t3chat/db'
import type { ApiDeps } from '../../deps'
import { NotFoundError } from '../../errors'
import { toMarkdown } from './markdown'
import { toT3chatDocument } from './t3chat-format'

/** What `conversation.export` answers: a file's name, type and content. */
export interface ExportFile {
  filename: string
  mimeType: string
  content: string
}

/** `json`: the t3chat v1 document (every branch); `markdown`: the active path, readable. */
export async function exportConversation(
  deps: ApiDeps,
  user: AuthUser,
  input: { id: string; format: 'json' | 'markdown' },
): Promise<ExportFile> {
  const tree = await loadConversationTree(deps.db, { userId: user.id, id: input.id })
  if (tree === undefined) throw new NotFoundError('conversation')
  const base = fileBase(tree.conversation.title, tree.conversation.id)
  if (input.format === 'json') {
    const doc = toT3chatDocument(tree.conversation, tree.messages, new Date())
    return {
      filename: `${base}.t3chat.json`,
      mimeType: 'application/json',
      content: `${JSON.stringify(doc, null, 2)}\n`,
    }
  }
  // The active path is the visible rows (message tree), in seq order.
  const path = tree.messages.filter((m) => !m.hidden)
  return {
    filename: `${base}.md`,
    mimeType: 'text/markdown; charset=utf-8',
    content: toMarkdown(tree.conversation, path),
  }
}

/** A file name from the title (letters, digits and dashes), or the id's start. */
function fileBase(title: string | null, id: string): string {
  const slug = (title ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
  return slug === '' ? `conversation-${id.slice(0, 8)}` : slug
}
