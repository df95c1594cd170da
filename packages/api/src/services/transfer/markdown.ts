import type { Conversation as ConversationRow, Message as MessageRow } from '@t3chat/db'

/**
 * A readable Markdown transcript of a path: a heading per message, the content as written
 * (code blocks intact). A message that leaves a code fence open gets it closed, so the next
 * heading is not swallowed by the block.
 */
export function toMarkdown(conversation: ConversationRow, path: MessageRow[]): string {
  const lines = [`# ${conversation.title ?? 'Untitled conversation'}`, '']
  lines.push(`_${conversation.createdAt.toISOString()} · ${conversation.currentModel}_`, '')
  if (conversation.systemPrompt !== null) {
    lines.push('> **System prompt**', '>')
    for (const line of conversation.systemPrompt.split('\n')) lines.push(`> ${line}`)
    lines.push('')
  }
  for (const m of path) {
    const who = m.role === 'user' ? 'You' : `Assistant${m.model === null ? '' : ` (${m.model})`}`
    lines.push(`## ${who}`, '', closeFences(m.content), '')
    if (m.errorCode !== null) lines.push(`_The answer ended with an error: ${m.errorCode}._`, '')
  }
  return `${lines.join('\n').trimEnd()}\n`
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/

function closeFences(content: string): string {
  let open: string | null = null
  for (const line of content.split('\n')) {
    const fence = FENCE.exec(line)?.[1]
    if (fence === undefined) continue
    if (open === null) open = fence
    else if (fence[0] === open[0] && fence.length >= open.length && line.trim() === fence)
      open = null
  }
  return open === null ? content : `${content}\n${open}`
}
