import type { BranchHost } from './branching'
import type { ChatState } from './state'
import type { Store } from './store'

/** `/edit` without text: lists your messages on this path (newest first) to pick one. */
export function pickEdit(host: BranchHost, store: Store<ChatState>): void {
  if (host.conversation() === null)
    return host.notice('warn', 'Nothing here yet: send a message first.')
  if (host.live())
    return host.notice('warn', 'An answer is still streaming: stop it with Ctrl-C first.')
  const mine = host.path().filter((m) => m.role === 'user')
  if (mine.length === 0) return host.notice('warn', 'There is no message of yours to edit here.')
  store.set({ chooser: { kind: 'edit', messages: [...mine].reverse() } })
}

/** The picked message goes into the input line; the next Enter sends it as a new branch. */
export function startEditing(
  store: Store<ChatState>,
  message: { id: string; content: string },
  notice: (tone: 'info', text: string) => void,
): void {
  store.set({
    chooser: null,
    editing: { messageId: message.id },
    draft: { text: message.content, key: Date.now() },
  })
  notice('info', '✎ Change the text and press Enter to send it as a new branch (Esc cancels).')
}
