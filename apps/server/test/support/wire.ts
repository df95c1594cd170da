import { randomUUID } from 'node:crypto'
import {
  TRPCClientError,
  type ChatClient,
  type ChatEvent,
  type RouterInputs,
  type UserEvent,
} from '@t3chat/client'
import { ChatEventSchema, UserEventSchema } from '@t3chat/api'
import { record, type Recording } from './recording'

/** The tRPC error code a client call failed with (e.g. 'UNAUTHORIZED'), or null. */
export function errorCode(error: unknown): string | null {
  if (!(error instanceof TRPCClientError)) return null
  const data: unknown = error.data
  if (typeof data === 'object' && data !== null && 'code' in data && typeof data.code === 'string')
    return data.code
  return null
}

/** The `data` of a tRPC error (code, httpStatus, requestId, messageId, …), or null. */
export function errorData(error: unknown): Record<string, unknown> | null {
  if (!(error instanceof TRPCClientError)) return null
  const data: unknown = error.data
  return typeof data === 'object' && data !== null ? { ...data } : null
}

/** Awaits `call` and returns the tRPC error code it failed with (fails the test if it did not). */
export async function rejectionCode(call: Promise<unknown>): Promise<string | null> {
  try {
    await call
  } catch (error) {
    return errorCode(error)
  }
  throw new Error('expected the call to fail, but it succeeded')
}

/** Subscribes to one answer's chat.stream. */
export function streamOf(
  client: ChatClient,
  messageId: string,
  lastEventId?: string,
): Recording<ChatEvent> {
  return record<ChatEvent>(
    (o) =>
      client.chat.stream.subscribe(
        lastEventId === undefined ? { messageId } : { messageId, lastEventId },
        o,
      ),
    ChatEventSchema,
  )
}

/**
 * The client README's one round trip: choose the answer's id, subscribe to it, then send; the
 * subscription sees the answer from its very first event.
 */
export async function sendAndStream(
  client: ChatClient,
  input: Omit<RouterInputs['chat']['send'], 'assistantMessageId'>,
) {
  const assistantMessageId = randomUUID()
  const stream = streamOf(client, assistantMessageId)
  const sent = await client.chat.send.mutate({ ...input, assistantMessageId })
  return { sent, stream }
}

/** Subscribes to the user's `events` feed (after `lastEventId`, when given). */
export function eventsOf(client: ChatClient, lastEventId?: string): Recording<UserEvent> {
  return record<UserEvent>(
    (o) => client.events.subscribe(lastEventId === undefined ? {} : { lastEventId }, o),
    UserEventSchema,
  )
}

/** Resolves once the subscription has reached the server (so no later event is missed). */
export async function started<T>(recording: Recording<T>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (recording.startedCount === 0) {
    if (recording.errors.length > 0) throw recording.errors[0]
    if (Date.now() > deadline) throw new Error('subscription did not start')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
