import type { ChatClient, Conversation, Message } from '@t3chat/client'
import type { Command } from '../args'
import { resolveConversationRef } from '../chat/conversations'
import { openSession } from '../connect/session'
import type { CliEnv } from '../config/env'
import { explainAnswerError } from '../errors'

/** `t3chat show <ref>`: a whole conversation, rendered on a terminal, plain when piped. */
export async function show(
  command: Extract<Command, { name: 'show' }>,
  env: CliEnv,
): Promise<number> {
  const session = await openSession(env, command.global)
  try {
    const id = await resolveConversationRef(session.client, command.ref)
    const [conversation, messages] = await Promise.all([
      session.client.conversation.get.query({ id }),
      allMessages(session.client, id),
    ])
    if (command.json) {
      process.stdout.write(`${JSON.stringify({ conversation, messages })}\n`)
    } else if (process.stdout.isTTY) {
      const [{ renderTranscript }, { loadLanguagesOf }] = await Promise.all([
        import('../ui/transcript-view'),
        import('../ui/highlight'),
      ])
      await loadLanguagesOf(messages.map((message) => message.content).join('\n'))
      process.stdout.write(
        `${renderTranscript(conversation, messages, process.stdout.columns || 80)}\n`,
      )
    } else {
      process.stdout.write(plainTranscript(conversation, messages))
    }
    return 0
  } finally {
    await session.close()
  }
}

/** Every visible message of a conversation, oldest first (pages of 200). */
export async function allMessages(client: ChatClient, conversationId: string): Promise<Message[]> {
  const pages: Message[][] = []
  let before: number | undefined
  for (;;) {
    const page = await client.message.list.query({
      conversationId,
      limit: 200,
      ...(before !== undefined ? { before } : {}),
    })
    pages.unshift(page.items)
    if (page.nextBefore === null) break
    before = page.nextBefore
  }
  return pages.flat()
}

/** The conversation as plain text: a heading per message, the text exactly as stored. */
export function plainTranscript(conversation: Conversation, messages: readonly Message[]): string {
  const parts = [`# ${conversation.title ?? 'Untitled'}\n`]
  if (conversation.systemPrompt) parts.push(`## System\n\n${conversation.systemPrompt}\n`)
  for (const message of messages) {
    const who =
      message.role === 'user'
        ? 'You'
        : `Assistant (${message.model ?? 'unknown model'}${message.status === 'completed' ? '' : `, ${message.status}`})`
    const failed =
      message.status === 'error' ? `(failed: ${explainAnswerError(message.error).message})` : ''
    const body = [message.content, failed].filter((part) => part !== '').join('\n\n')
    parts.push(`## ${who}\n\n${body}\n`)
  }
  return `${parts.join('\n')}`
}
