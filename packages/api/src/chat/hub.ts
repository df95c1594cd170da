/**
 * The hub: where live answers and user events meet their subscribers, whatever carries them.
 *
 * This file is only the boundary (types). Implementations:
 * - `hub-memory.ts`: one process, everything in memory (the default without Redis);
 * - a Redis implementation for several instances.
 * Both pass the same contract suite (packages/api/test/hub-contract). The turn services, the
 * generation runner and the server only use this interface: nothing outside an implementation
 * knows how a live answer is stored.
 */
import type { Message, MessageStatus, UserEvent } from '../shapes'

/** Who a live answer belongs to. */
export interface AnswerKey {
  messageId: string
  userId: string
  conversationId: string
}

/** A live answer as the hub knows it: its key and the instance generating it. */
export interface LiveAnswer extends AnswerKey {
  owner: string
}

/**
 * What a follower of an answer receives. `text` frames carry the content from `offset` on
 * (UTF-16 units); a follower applies the part after what it already has. The first frame is
 * the current status (unless the answer has ended); the last one is `final`.
 */
export type AnswerFrame =
  | { type: 'status'; status: MessageStatus }
  | { type: 'text'; offset: number; text: string }
  | { type: 'final'; message: Message }

/** The instance generating an answer writes it through this; followers see it within a frame. */
export interface AnswerWriter {
  readonly key: AnswerKey
  /** Everything appended so far. */
  text(): string
  status(): MessageStatus
  /** Appends text (cheap, synchronous: implementations coalesce tokens into frames). */
  append(text: string): void
  setStatus(status: MessageStatus): void
  /** Publishes the end: followers receive `final` and stop; the answer leaves the hub. */
  finish(message: Message): Promise<void>
  /** Runs `listener` when someone asks this answer to stop ({@link Hub.requestStop}). */
  onStop(listener: () => void): void
}

/** A user event with its resume id. */
export interface TrackedUserEvent {
  id: string
  event: UserEvent
}

export interface Hub {
  /** This instance's id (the owner recorded for the answers it generates). */
  readonly instanceId: string
  /** Registers a live answer generated here; the writer publishes it until `finish`. */
  open(key: AnswerKey): Promise<AnswerWriter>
  /** The live answer with this id, if the hub carries it (from any instance). */
  lookup(messageId: string): Promise<LiveAnswer | null>
  /**
   * Resolves when the answer goes live, or with null after `timeoutMs` or on abort: lets a
   * client subscribe to an answer id it chose before `chat.send` has created it.
   */
  waitFor(messageId: string, timeoutMs: number, signal: AbortSignal): Promise<LiveAnswer | null>
  /**
   * The answer's frames: the backlog after `offset`, then live ones, then `final`. Ends
   * without `final` when the hub does not carry (or no longer carries) the answer: the
   * database then has the rest.
   */
  follow(messageId: string, offset: number, signal: AbortSignal): AsyncIterable<AnswerFrame>
  /**
   * The live answer and its frames after `offset` (as `follow` gives them) in one step: one
   * round trip where the answer is generated elsewhere, where `lookup` then `follow` take two.
   * Null when the hub does not carry it. The frames are read only if iterated, so an answer
   * that is not the caller's can be dropped unread.
   */
  attach(
    messageId: string,
    offset: number,
    signal: AbortSignal,
  ): Promise<{ answer: LiveAnswer; frames: AsyncIterable<AnswerFrame> } | null>
  /**
   * Asks the answer's owner, wherever it runs, to stop it. Resolves with the final message
   * once the owner has saved it, or null when no owner acted within `timeoutMs`.
   */
  requestStop(messageId: string, timeoutMs: number): Promise<Message | null>
  /**
   * Ends an answer whose owner is gone, after its final state was written by someone else
   * (a stop, the reaper): its followers receive `final`. No-op when it has already ended.
   */
  endOrphan(message: Message): Promise<void>
  /** Announces a change to every `subscribe` feed of the user, on every instance. */
  publish(userId: string, event: UserEvent): Promise<void>
  /**
   * The user's events after `lastEventId` (those still kept), then live ones until `signal`
   * aborts or the hub closes. An id the hub no longer knows resumes from live. Resolves once
   * the feed is registered: every event published after that is delivered.
   */
  subscribe(
    userId: string,
    lastEventId: string | null,
    signal: AbortSignal,
  ): Promise<AsyncIterable<TrackedUserEvent>>
  /** Whether an instance is alive (heartbeating). */
  isAlive(instanceId: string): Promise<boolean>
  /** Followers (of answers and of events) currently attached on this instance. */
  followers(): number
  /** Ends every `subscribe` feed (after what is buffered) and stops background work. */
  close(): Promise<void>
}
