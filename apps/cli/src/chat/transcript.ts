import type { Conversation, Message } from '@t3chat/client'
import { settledLength } from '../answer/settle'
import { relativeTime } from '../format/time'
import { branchLabel } from './branching'
import type { Entry, LiveAnswer } from './state'

let counter = 0
/** A unique key for a transcript entry. */
export function entryId(): string {
  counter += 1
  return `e${counter}`
}

/** The heading printed above a conversation. */
export function headerEntry(
  conversation: Conversation | null,
  model: string | null,
  notice: string | null = null,
): Entry {
  if (conversation === null) {
    return {
      kind: 'header',
      id: entryId(),
      title: 'New conversation',
      detail: model ? `model ${model}` : '',
      notice,
    }
  }
  const parts = [
    `${conversation.messageCount} message${conversation.messageCount === 1 ? '' : 's'}`,
    conversation.currentModel,
    conversation.lastMessageAt ? `last ${relativeTime(conversation.lastMessageAt)}` : null,
  ]
  return {
    kind: 'header',
    id: entryId(),
    title: conversation.title ?? 'Untitled',
    detail: parts.filter((part): part is string => part !== null).join(' · '),
    notice,
  }
}

/**
 * Entries for finished messages (an unfinished last answer is left to the live view); `mark`
 * puts a line above one message (a search match).
 */
export function messageEntries(
  messages: readonly Message[],
  mark: { messageId: string; label: string } | null = null,
): Entry[] {
  const entries: Entry[] = []
  for (const message of messages) {
    if (message.id === mark?.messageId)
      entries.push({ kind: 'notice', id: entryId(), tone: 'warn', text: mark.label })
    if (message.role === 'user')
      entries.push({ kind: 'user', id: entryId(), content: message.content })
    else entries.push(...answerEntries(message, message.content, true))
    const branch = branchLabel(message)
    if (branch !== null) {
      const text = `branch ${branch} · ←/→ or /branch prev|next`
      entries.push({ kind: 'notice', id: entryId(), tone: 'info', text })
    }
  }
  return entries
}

/** The printed form of a finished answer: its text (if any) and the line under it. */
export function answerEntries(message: Message, text: string, first: boolean): Entry[] {
  const entries: Entry[] = []
  if (text.trim() !== '') {
    entries.push({ kind: 'answer', id: entryId(), markdown: text, first, model: message.model })
  }
  entries.push({
    kind: 'answer-end',
    id: entryId(),
    status: message.status,
    model: message.model,
    usage: message.usage,
    error: message.error,
    empty: message.content.trim() === '',
  })
  return entries
}

/** Whether an answer is still being generated. */
export function isUnfinished(message: Message): boolean {
  return message.status === 'pending' || message.status === 'streaming'
}

/**
 * New text for a live answer: whole markdown blocks that are finished move out into an
 * `answer` entry (printed once); the growing block stays live.
 */
export function advanceLive(
  live: LiveAnswer,
  content: string,
): { live: LiveAnswer; entry: Entry | null } {
  const tail = content.slice(live.printed)
  const settled = settledLength(tail)
  if (settled === 0) return { live: { ...live, content }, entry: null }
  return {
    live: { ...live, content, printed: live.printed + settled },
    entry: {
      kind: 'answer',
      id: entryId(),
      markdown: tail.slice(0, settled),
      first: live.printed === 0,
      model: live.model,
    },
  }
}

/**
 * The entries that close a live answer given its final state. The final text normally
 * extends what was printed; if it does not (it changed while reconnecting), it is printed
 * in full after a note rather than leaving a wrong transcript.
 */
export function finishLive(live: LiveAnswer | null, final: Message): Entry[] {
  const printed = live?.printed ?? 0
  const shown = live?.content.slice(0, printed) ?? ''
  if (final.content.startsWith(shown))
    return answerEntries(final, final.content.slice(printed), printed === 0)
  return [
    {
      kind: 'notice',
      id: entryId(),
      tone: 'warn',
      text: 'The answer changed while reconnecting; in full:',
    },
    ...answerEntries(final, final.content, true),
  ]
}

/** A live answer, nothing received yet. */
export function newLive(messageId: string, model: string | null): LiveAnswer {
  return {
    messageId,
    model,
    content: '',
    printed: 0,
    status: 'pending',
    connection: 'connecting',
    stopping: false,
  }
}
