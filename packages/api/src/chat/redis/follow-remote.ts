/**
 * Following an answer generated on another instance: its backlog (folded into the few frames a
 * follower at its offset needs), then live entries through the instance's one blocking reader.
 * The backlog is read from the end: the newest {@link TAIL} entries, and the older ones only
 * when the follower's offset is further back (a 400-entry XRANGE takes 3–4 ms to read, where
 * a resume usually needs the last few). Ends without `final` when the stream is gone or has a
 * gap (Redis lost data): chat.stream then reads the database.
 */
import type { Redis } from 'ioredis'
import type { AnswerFrame, LiveAnswer } from '../hub'
import { entryFrames, foldBacklog, tailOf } from './frames'
import { TIMING, type RedisKeys } from './keys'
import { runPipeline } from './pipeline'
import { compareIds, type StreamEntry, type StreamReader } from './reader'

/** How many of an answer's newest entries are read first (XREVRANGE … COUNT). */
export const TAIL = 32

export interface RemoteFollower {
  /** The answer's frames from `offset`: its backlog, then live entries, then `final`. */
  follow(messageId: string, offset: number, signal: AbortSignal): AsyncGenerator<AnswerFrame>
  /** The answer's metadata and its frames, read in one round trip (see Hub.attach). */
  attach(
    messageId: string,
    offset: number,
    signal: AbortSignal,
  ): Promise<{ answer: LiveAnswer; frames: AsyncGenerator<AnswerFrame> } | null>
}

export function createRemoteFollower(deps: {
  redis: Redis
  keys: RedisKeys
  reader: StreamReader
}): RemoteFollower {
  const { redis, keys, reader } = deps

  /**
   * The frames a follower at `offset` needs, oldest first, from the stream's newest entries,
   * and the id of the newest (where live reading goes on).
   */
  async function backlogFor(key: string, offset: number, tail: StreamEntry[]) {
    const lastId = tail[0]?.[0] ?? '0-0' // XREVRANGE: newest first
    const entries = tail.toReversed()
    const frames = entries.flatMap(entryFrames)
    const oldest = entries[0]
    if (oldest === undefined || tail.length < TAIL) return { frames, lastId } // the whole stream
    const firstText = frames.find((frame) => frame.type === 'text')
    // The final message holds the whole text; otherwise the tail must reach back to `offset`.
    if (frames.some((frame) => frame.type === 'final') || (firstText && firstText.offset <= offset))
      return { frames, lastId }
    const older = (await redis.xrange(key, '-', oldest[0])) as StreamEntry[]
    return { frames: [...older.slice(0, -1).flatMap(entryFrames), ...frames], lastId }
  }

  async function* followRemote(
    messageId: string,
    offset: number,
    signal: AbortSignal,
    read?: StreamEntry[],
  ): AsyncGenerator<AnswerFrame> {
    const key = keys.answer(messageId)
    // The tail is read here unless it was read with the answer's metadata (attach).
    const tail = read ?? (await redis.xrevrange(key, '+', '-', 'COUNT', TAIL))
    if (tail.length === 0) return
    const backlog = await backlogFor(key, offset, tail)
    const folded = foldBacklog(backlog.frames, offset)
    if (folded === null) return
    yield* folded
    if (folded.at(-1)?.type === 'final') return
    // The text this follower has: the final entry brings what the frames did not.
    let have = offset
    for (const frame of folded) if (frame.type === 'text') have = frame.offset + frame.text.length
    let { lastId } = backlog
    for await (const batch of reader.listen(key, lastId, signal, TIMING.followerCheckMs)) {
      if (batch.length === 0) {
        // Quiet for a while: make sure the answer still exists (Redis may have lost it).
        if ((await redis.exists(key)) === 0) return
        continue
      }
      for (const entry of batch) {
        if (compareIds(entry[0], lastId) <= 0) continue
        lastId = entry[0]
        for (const frame of entryFrames(entry)) {
          if (frame.type === 'text') have = Math.max(have, frame.offset + frame.text.length)
          else if (frame.type === 'final') {
            const tail = tailOf(frame.message, have)
            if (tail !== null) yield tail
            yield frame
            return
          }
          yield frame
        }
      }
    }
  }

  return {
    follow: (messageId, offset, signal) => followRemote(messageId, offset, signal),
    async attach(messageId, offset, signal) {
      const [meta, tail] = await runPipeline(
        redis
          .pipeline()
          .get(keys.answerMeta(messageId))
          .xrevrange(keys.answer(messageId), '+', '-', 'COUNT', TAIL),
      )
      const answer = parseMeta(messageId, meta as string | null)
      if (answer === null) return null
      return { answer, frames: followRemote(messageId, offset, signal, tail as StreamEntry[]) }
    },
  }
}

/** An answer's metadata key as its owner wrote it; null when absent or unreadable. */
export function parseMeta(messageId: string, meta: string | null): LiveAnswer | null {
  if (meta === null) return null
  const { userId, conversationId, owner } = JSON.parse(meta) as Partial<LiveAnswer>
  if (userId === undefined || conversationId === undefined || owner === undefined) return null
  return { messageId, userId, conversationId, owner }
}
