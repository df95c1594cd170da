import { randomUUID } from 'node:crypto'
import { expect } from 'vitest'
import type { ChatEvent, Message, createCaller } from '../../src/index'
import { collect } from '../streams'

/** A createCaller caller. */
export type CoreCaller = ReturnType<typeof createCaller>

/** Follows `chat.stream` of an answer to its `final` event and returns that message. */
export async function finalMessage(caller: CoreCaller, messageId: string): Promise<Message> {
  const events = await collect<ChatEvent>(await caller.chat.stream({ messageId }))
  const last = events.at(-1)?.data
  if (last?.type !== 'final') throw new Error(`chat.stream of ${messageId} ended without final`)
  return last.message
}

/**
 * Sends `content` with `fake/echo` (unless another model is given) and waits until the answer
 * has finished; asserts it completed.
 */
export async function sendAndFinish(
  caller: CoreCaller,
  input: { content: string; conversationId?: string; model?: string; clientMessageId?: string },
) {
  const sent = await caller.chat.send({
    clientMessageId: randomUUID(),
    model: 'fake/echo',
    ...input,
  })
  const answer = await finalMessage(caller, sent.assistantMessage.id)
  expect(answer.status).toBe('completed')
  return { ...sent, answer }
}
