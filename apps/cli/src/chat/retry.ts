import { randomUUID } from 'node:crypto'
import type { ChatClient, Message } from '@t3chat/client'
import type { ChatState } from './state'
import type { Store } from './store'
import { withRetries } from './with-retries'

/** What `/retry` needs from the chat. */
export interface RetryHost {
  client: ChatClient
  store: Store<ChatState>
  /** Takes the replaced answer off the visible history (it stays on the server as a branch). */
  dropLastAnswer(): void
  /** Shows and follows the new answer. */
  follow(answer: Pick<Message, 'id' | 'model' | 'content'>): void
  notice(tone: 'info' | 'warn', text: string): void
}

/** `/retry [model]`: a new answer to the last message (`chat.regenerate`); the old one stays a branch. */
export async function retry(host: RetryHost, model: string | null): Promise<void> {
  const state = host.store.get()
  const conversation = state.conversation
  if (!conversation) return host.notice('warn', 'Nothing to retry yet: send a message first.')
  if (state.live)
    return host.notice('warn', 'An answer is still streaming: stop it with Ctrl-C first.')
  host.store.set({ busy: 'Regenerating…' })
  // One id for this /retry: a retried request after a blip is the same regeneration.
  const input = {
    conversationId: conversation.id,
    clientMessageId: randomUUID(),
    ...(model ? { model } : {}),
  }
  try {
    const { assistantMessage: answer, ...result } = await withRetries(() =>
      host.client.chat.regenerate.mutate(input),
    )
    host.dropLastAnswer()
    const switched = model !== null && model !== conversation.currentModel
    const branch = `branch ${answer.branch.index}/${answer.branch.count}`
    host.notice(
      'info',
      `↻ New answer${model ? ` with ${model}` : ''} · ${branch}${switched ? ` (the conversation now uses ${model}; /model to change)` : ''}`,
    )
    host.store.set({ conversation: result.conversation })
    host.follow(answer)
  } finally {
    host.store.set({ busy: null })
  }
}
