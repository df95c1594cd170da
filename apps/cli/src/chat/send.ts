import { randomUUID } from 'node:crypto'
import type { ChatClient, Message } from '@t3chat/client'
import type { LiveAnswers } from './live-answers'
import type { ChatState, Entry } from './state'
import type { Store } from './store'
import { entryId } from './transcript'
import { withRetries } from './with-retries'

/** What sending a message needs from the chat. */
export interface SendHost {
  client: ChatClient
  store: Store<ChatState>
  live: LiveAnswers
  defaultModel: string | null
  append(entry: Entry): void
  /** The user's message as stored (it joins the visible history). */
  sent(message: Message): void
  notice(tone: 'warn', text: string): void
  fail(error: unknown, prefix: string): void
}

/** Sends a message in the open conversation (the first message creates it). */
export async function sendMessage(host: SendHost, text: string): Promise<void> {
  const state = host.store.get()
  if (state.live) {
    return host.notice(
      'warn',
      'An answer is still streaming: wait for it, or press Ctrl-C to stop it.',
    )
  }
  const conversation = state.conversation
  host.append({ kind: 'user', id: entryId(), content: text })
  // One round trip: the answer's id is chosen here and its stream followed while it is sent.
  const assistantMessageId = randomUUID()
  const model = conversation?.currentModel ?? state.model ?? host.defaultModel
  host.live.start(assistantMessageId, model, '')
  const input = {
    clientMessageId: randomUUID(),
    assistantMessageId,
    content: text,
    ...(conversation ? { conversationId: conversation.id } : {}),
    ...(!conversation && state.model ? { model: state.model } : {}),
    ...(!conversation && state.pendingSystem ? { systemPrompt: state.pendingSystem } : {}),
  }
  try {
    // The same clientMessageId makes a retried send idempotent, so a blip is safe to retry.
    const result = await withRetries(() => host.client.chat.send.mutate(input))
    host.sent(result.userMessage)
    host.store.set({ conversation: result.conversation, pendingSystem: null })
    host.live.update(assistantMessageId, (live) => ({
      ...live,
      model: result.assistantMessage.model,
    }))
  } catch (error) {
    host.live.abandon()
    host.fail(error, 'Not sent')
  }
}
