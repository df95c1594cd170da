/**
 * Following an answer generated on another instance: its backlog (folded into the few frames a
 * follower at its offset needs), then live entries through the instance's one blocking reader.
 * Entry ids say where their text ends (frames.ts), so the backlog is one XRANGE of exactly the
 * entries after the follower's offset — read with the answer's metadata in one round trip
 * (attach). Ends without `final` when the stream is gone or has a gap (Redis lost data):
 * chat.stream then reads the database.
 */
import type { Redis } from 'ioredis'
import type { AnswerFrame, LiveAnswer } from '../hub'
import { entryFrames, firstIdFor, foldBacklog, tailOf } from './frames'
import { TIMING, type RedisKeys } from './keys'
import { runPipeline } from './pipeline'
import { compareIds, type StreamEntry, type StreamReader } from './reader'

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

  async function* followRemote(
    messageId: string,
    offset: number,
    signal: AbortSignal,
    read?: StreamEntry[],
  ): AsyncGenerator<AnswerFrame> {
    const key = keys.answer(messageId)
    // Read here unless it was read with the answer's metadata (attach).
    const after = read ?? (await redis.xrange(key, firstIdFor(offset), '+'))
    // Nothing ends at or after `offset` (the stream is gone, or the client claims more text
    // than there is): the newest entry says which, and where live reading starts.
    const backlog =
      after.length > 0
        ? after
        : ((await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as StreamEntry[])
    const last = backlog.at(-1)
    if (last === undefined) return
    const folded = foldBacklog(backlog.flatMap(entryFrames), offset)
    if (folded === null) return
    yield* folded
    if (folded.at(-1)?.type === 'final') return
    // The text this follower has: the final entry brings what the frames did not.
    let have = offset
    for (const frame of folded) if (frame.type === 'text') have = frame.offset + frame.text.length
    let lastId = last[0]
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
      const [meta, after] = await runPipeline(
        redis
          .pipeline()
          .get(keys.answerMeta(messageId))
          .xrange(keys.answer(messageId), firstIdFor(offset), '+'),
      )
      const answer = parseMeta(messageId, meta as string | null)
      if (answer === null) return null
      return { answer, frames: followRemote(messageId, offset, signal, after as StreamEntry[]) }
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
