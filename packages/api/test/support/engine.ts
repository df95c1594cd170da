import { randomUUID } from 'node:crypto'
import { TRPCError } from '@trpc/server'
import { sql } from 'kysely'
import { expect } from 'vitest'
import type { Kysely } from 'kysely'
import type { Database } from '@t3chat/db'
import { loremText } from '@t3chat/llm/fake'
import type { ChatEvent, Message } from '../../src/index'
import type { Harness } from '../harness'
import { collect, type Tracked } from '../streams'

/** A signed-in caller as `h.user()` gives it. */
export type Caller = Awaited<ReturnType<Harness['user']>>['caller']

/** The text of every `delta` event, in order. */
export function deltaText(events: Tracked<ChatEvent>[]): string {
  return events.flatMap((e) => (e.data.type === 'delta' ? [e.data.text] : [])).join('')
}

/** The message of the stream's `final` event (fails the test when there is none). */
export function finalOf(events: Tracked<ChatEvent>[]): Message {
  const last = events.at(-1)?.data
  if (last?.type !== 'final') throw new Error(`stream ended without a final event`)
  return last.message
}

/** Follows an answer to its end and returns every event. */
export async function streamToEnd(
  caller: Caller,
  messageId: string,
  lastEventId?: string,
): Promise<Tracked<ChatEvent>[]> {
  const input = lastEventId === undefined ? { messageId } : { messageId, lastEventId }
  return collect<ChatEvent>(await caller.chat.stream(input))
}

/** Waits for an answer's final state (through `chat.stream`). */
export async function finalMessage(caller: Caller, messageId: string): Promise<Message> {
  return finalOf(await streamToEnd(caller, messageId))
}

/** Sends a message and waits for its answer to end. */
export async function sendAndFinish(
  caller: Caller,
  input: {
    content: string
    conversationId?: string
    model?: string
    systemPrompt?: string | null
    clientMessageId?: string
  },
) {
  const sent = await caller.chat.send({ clientMessageId: randomUUID(), ...input })
  const answer = await finalMessage(caller, sent.assistantMessage.id)
  return { ...sent, answer }
}

/** Follows an answer until `enough` says so, then disconnects (breaks out of the loop). */
export async function readUntil(
  caller: Caller,
  messageId: string,
  enough: (events: Tracked<ChatEvent>[]) => boolean,
): Promise<Tracked<ChatEvent>[]> {
  return collect<ChatEvent>(await caller.chat.stream({ messageId }), (_event, all) => enough(all))
}

/**
 * Starts a 200-token answer of the fake's slow model, reads its first words and stops it (its
 * usage chunk never comes): the stopped message and the model (unique per call).
 */
export async function stopMidAnswer(caller: Caller): Promise<{ stopped: Message; model: string }> {
  const model = `fake/slow:tokens=200,run=${randomUUID()}`
  const sent = await caller.chat.send({ clientMessageId: randomUUID(), content: 'go', model })
  await readUntil(caller, sent.assistantMessage.id, textAtLeast(loremText(3).length))
  return { stopped: await caller.chat.stop({ messageId: sent.assistantMessage.id }), model }
}

/** At least `chars` characters of streamed text (or the end). */
export const textAtLeast =
  (chars: number) =>
  (events: Tracked<ChatEvent>[]): boolean =>
    deltaText(events).length >= chars || events.at(-1)?.data.type === 'final'

/** The TRPCError a call rejects with (fails the test when it resolves). */
export async function rejection(call: Promise<unknown>): Promise<TRPCError> {
  const outcome = await call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`)
  expect(outcome.error).toBeInstanceOf(TRPCError)
  return outcome.error as TRPCError
}

/** Asserts a call fails with `code` and a message matching `message`. */
export async function expectError(
  call: Promise<unknown>,
  code: TRPCError['code'],
  message?: RegExp | string,
): Promise<TRPCError> {
  const error = await rejection(call)
  expect(error.code).toBe(code)
  if (message !== undefined) expect(error.message).toMatch(message)
  return error
}

/** Row counts of the chat tables (what "nothing written" is checked against). */
export async function rowCounts(db: Kysely<Database>) {
  const { rows } = await sql<{ conversations: number; messages: number }>`
    select (select count(*)::int from conversations) as conversations,
           (select count(*)::int from messages) as messages`.execute(db)
  const counts = rows[0]
  if (counts === undefined) throw new Error('count query returned no row')
  return counts
}

/** A message row as stored. */
export async function messageRow(db: Kysely<Database>, id: string) {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/** A conversation row as stored. */
export async function conversationRow(db: Kysely<Database>, id: string) {
  return db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The chat-completion requests the fake received for one model id. */
export function requestsFor(h: Harness, model: string) {
  return h.fake.requests.filter((r) => r.model === model)
}

/** The `messages` array of a request the fake received. */
export function sentMessages(request: { body: Record<string, unknown> } | undefined) {
  const messages = request?.body.messages
  if (!Array.isArray(messages)) throw new Error('the request has no messages')
  return messages as { role: string; content: string }[]
}

/** A small seeded PRNG (mulberry32): the same seed gives the same cut points on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The active path of a conversation as [content, "index/count"] pairs (one page). */
export async function activePath(caller: Caller, conversationId: string) {
  const page = await caller.message.list({ conversationId })
  return page.items.map((m) => [m.content, `${m.branch.index}/${m.branch.count}`])
}
