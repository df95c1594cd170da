import { randomUUID } from 'node:crypto'
import type { ChatClient, Conversation, Message } from '@t3chat/client'

/** What the branch commands need from the chat: the open path, and a way to show it anew. */
export interface BranchHost {
  client: ChatClient
  conversation(): Conversation | null
  /** The messages of the active path on screen, ascending. */
  path(): readonly Message[]
  /** Whether an answer is streaming (the server refuses branch changes then). */
  live(): boolean
  /** Loads and prints a conversation (an unfinished last answer streams on). */
  open(conversationId: string): Promise<void>
  notice(tone: 'info' | 'warn', text: string): void
}

/** `2/3` when the message has siblings; null when it is the only one. */
export function branchLabel(message: Pick<Message, 'branch'>): string | null {
  return message.branch.count > 1 ? `${message.branch.index}/${message.branch.count}` : null
}

function ready(host: BranchHost): Conversation | null {
  const conversation = host.conversation()
  if (conversation === null) {
    host.notice('warn', 'Nothing here yet: send a message first.')
    return null
  }
  if (host.live()) {
    host.notice('warn', 'An answer is still streaming: stop it with Ctrl-C first.')
    return null
  }
  return conversation
}

/** `/edit <text>`: the last message you wrote gets new text and a new answer; the old stays a branch. */
export async function editLast(host: BranchHost, text: string): Promise<void> {
  if (ready(host) === null) return
  const last = host.path().findLast((m) => m.role === 'user')
  if (last === undefined) return host.notice('warn', 'There is no message of yours to edit here.')
  return editMessage(host, last.id, text)
}

/** A message of yours (any on the path) gets new text and a new answer; the old stays a branch. */
export async function editMessage(
  host: BranchHost,
  messageId: string,
  text: string,
): Promise<void> {
  const conversation = ready(host)
  if (conversation === null) return
  const edited = await host.client.chat.edit.mutate({
    messageId,
    clientMessageId: randomUUID(),
    content: text,
  })
  await host.open(conversation.id)
  host.notice('info', `✎ Edited · branch ${branchLabel(edited.userMessage) ?? '1/1'}`)
}

/** Whether the path has a message with siblings (what ←/→ and `/branch` switch). */
export function hasBranches(host: Pick<BranchHost, 'path'>): boolean {
  return host.path().some((m) => m.branch.count > 1)
}

/** `/branch next|prev`: shows the neighbouring branch of the newest message that has siblings. */
export async function stepBranch(host: BranchHost, direction: 'next' | 'prev'): Promise<void> {
  const conversation = ready(host)
  if (conversation === null) return
  const forked = host.path().findLast((m) => m.branch.count > 1)
  if (forked === undefined) return host.notice('info', 'This conversation has no other branch.')
  const { items } = await host.client.message.siblings.query({ messageId: forked.id })
  const at = items.findIndex((m) => m.id === forked.id)
  const target = items[direction === 'next' ? at + 1 : at - 1]
  if (target === undefined)
    return host.notice('info', `Already on the ${direction === 'next' ? 'last' : 'first'} branch.`)
  await host.client.conversation.selectBranch.mutate({
    conversationId: conversation.id,
    messageId: target.id,
  })
  await host.open(conversation.id)
  host.notice('info', `Branch ${target.branch.index}/${target.branch.count}`)
}

/** `/fork`: a new conversation with a copy of this path; it opens. */
export async function forkHere(host: BranchHost): Promise<void> {
  const conversation = ready(host)
  if (conversation === null) return
  const last = host.path().at(-1)
  if (last === undefined) return host.notice('warn', 'Nothing to fork yet.')
  const fork = await host.client.conversation.fork.mutate({ messageId: last.id })
  await host.open(fork.id)
  host.notice('info', `Forked “${conversation.title ?? 'Untitled'}” into a new conversation.`)
}
