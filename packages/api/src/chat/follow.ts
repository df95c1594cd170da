/**
 * chat.stream: an answer's events for one subscriber, from wherever the answer is.
 *
 * The hub's frames become tracked events (a delta's id is the content length after it, so a
 * client resuming with `lastEventId` receives exactly the text it is missing). When the hub
 * does not carry the answer — it has ended, or it is generated where this hub cannot see —
 * the database has the rest: the final state, or checkpoints polled until the end.
 */
import { tracked, type TrackedEnvelope } from '@trpc/server'
import type { AuthUser } from '@t3chat/auth'
import { findMessage, userScopedId } from '@t3chat/db'
import type { ApiDeps } from '../deps'
import { NotFoundError } from '../errors'
import { toMessage } from '../mappers'
import type { ChatEvent, Message, MessageStatus } from '../shapes'
import type { AnswerFrame } from './hub'
import { pause } from './pause'

/** A chat event with its tracked id: the content length once the event is applied. */
export type TrackedChatEvent = TrackedEnvelope<ChatEvent>

/** `lastEventId` → how many UTF-16 units of content the client already has. */
export function parseOffset(lastEventId: string | null | undefined): number {
  if (!lastEventId) return 0
  const offset = Number(lastEventId)
  return Number.isSafeInteger(offset) && offset > 0 ? offset : 0
}

export const isFinal = (status: MessageStatus) =>
  status === 'completed' || status === 'error' || status === 'cancelled'

/** How long one wait for an answer to go live lasts before the database is asked again. */
const WAIT_SLICE_MS = 250

/** Checks access, then returns the message's events from `lastEventId` on. */
export async function streamAnswer(
  deps: ApiDeps,
  user: AuthUser,
  input: { messageId: string; lastEventId?: string | null | undefined },
  signal: AbortSignal,
): Promise<AsyncGenerator<TrackedChatEvent>> {
  const offset = parseOffset(input.lastEventId)
  const { messageId } = input
  const loader = (id: string) => () =>
    findMessage(deps.db, { userId: user.id, id }).then((m) => m && toMessage(m))
  // An answer id chosen by this client that another user had taken is stored under an id
  // derived from it for this user (turns/send.ts): following the chosen id follows that answer.
  const derivedId = userScopedId(user.id, messageId)
  const started = performance.now()
  // A client may subscribe to the answer id it passes to chat.send before that call has
  // created it (one round trip instead of two): a missing id is waited for, up to
  // answerWaitMs. A fast answer can start and end between two looks at a shared hub, so the
  // database is asked again between short waits. Someone else's answer, live or not, takes
  // exactly this path too — the same calls, the same wait, the same NOT_FOUND — so a
  // subscription tells nothing about other users' ids (regression: NOT_FOUND in 16 ms for
  // another user's live answer, 10 s for a missing id).
  for (;;) {
    // The hub unreachable (Redis down) is not the subscriber's problem: the database answers.
    // The answer and its backlog at once (one round trip when it is generated elsewhere).
    const live = await deps.hub.attach(messageId, offset, signal).catch(() => null)
    if (live !== null && live.answer.userId === user.id)
      return follow(deps, messageId, live.frames, loader(messageId), offset, signal)
    const row = await findMessage(deps.db, { userId: user.id, id: messageId, orId: derivedId })
    if (row !== undefined) {
      const message = toMessage(row)
      const load = loader(message.id)
      if (isFinal(message.status)) return followDatabase(load, message, offset, signal, null)
      return follow(
        deps,
        message.id,
        deps.hub.follow(message.id, offset, signal),
        load,
        offset,
        signal,
      )
    }
    const left = started + deps.config.answerWaitMs - performance.now()
    if (left <= 0 || signal.aborted) throw new NotFoundError('message')
    await waitForEither(deps, [live === null ? messageId : null, derivedId], left, signal)
  }
}

/**
 * One slice of the wait: until one of the ids goes live on the hub, or the slice ends. A null
 * id (someone else's live answer, which the hub would report at once) is waited out.
 */
async function waitForEither(
  deps: ApiDeps,
  ids: (string | null)[],
  left: number,
  signal: AbortSignal,
): Promise<void> {
  const slice = Math.min(WAIT_SLICE_MS, left)
  const done = new AbortController()
  const either = AbortSignal.any([signal, done.signal])
  try {
    await Promise.race(
      ids.map((id) =>
        id === null
          ? pause(slice, either)
          : deps.hub.waitFor(id, slice, either).catch(() => pause(slice, either)),
      ),
    )
  } finally {
    done.abort()
  }
}

async function* follow(
  deps: ApiDeps,
  messageId: string,
  frames: AsyncIterable<AnswerFrame>,
  load: () => Promise<Message | undefined>,
  offset: number,
  signal: AbortSignal,
): AsyncGenerator<TrackedChatEvent> {
  let sentStatus: MessageStatus | null = null
  try {
    for await (const event of frames) {
      if (event.type === 'final') {
        yield tracked<ChatEvent>(String(event.message.content.length), event)
        return
      }
      if (event.type === 'status') {
        if (event.status === sentStatus) continue
        sentStatus = event.status
        yield tracked<ChatEvent>(String(offset), event)
        continue
      }
      // Text after a gap (its transport lost frames): the database has what is missing.
      if (event.offset > offset) break
      const end = event.offset + event.text.length
      if (end <= offset) continue
      const text = event.text.slice(offset - event.offset)
      offset = end
      yield tracked<ChatEvent>(String(offset), { type: 'delta', text })
    }
  } catch (error) {
    deps.logger.warn({ err: error, messageId }, 'live answer unreachable; following the database')
  }
  if (signal.aborted) return
  // The hub no longer carries it (it ended, or cannot see it): the database has the rest.
  const message = await load()
  if (message !== undefined) yield* followDatabase(load, message, offset, signal, sentStatus)
}

const POLL_MS = 1_000

/**
 * Follows an answer from the database: a finished one sends its final state and ends; one
 * still generating where the hub cannot see is polled from its checkpoints until it ends.
 */
async function* followDatabase(
  load: () => Promise<Message | undefined>,
  first: Message,
  offset: number,
  signal: AbortSignal,
  sentStatus: MessageStatus | null,
): AsyncGenerator<TrackedChatEvent> {
  let message: Message | undefined = first
  while (message !== undefined && !signal.aborted) {
    if (isFinal(message.status)) {
      yield tracked<ChatEvent>(String(message.content.length), { type: 'final', message })
      return
    }
    if (message.status !== sentStatus) {
      sentStatus = message.status
      yield tracked<ChatEvent>(String(offset), { type: 'status', status: sentStatus })
    }
    if (message.content.length > offset) {
      const delta = message.content.slice(offset)
      offset = message.content.length
      yield tracked<ChatEvent>(String(offset), { type: 'delta', text: delta })
    }
    await pause(POLL_MS, signal)
    message = await load()
  }
}
