/**
 * Following an answer generated on another instance: its backlog with one XRANGE (folded into
 * the few frames a follower at its offset needs), then live entries through the instance's
 * one blocking reader. Ends without `final` when the stream is gone or has a gap (Redis lost
 * data): chat.stream then reads the database.
 */
import type { Redis } from 'ioredis'
import type { AnswerFrame } from '../hub'
import { entryFrames, foldBacklog, tailOf } from './frames'
import { TIMING, type RedisKeys } from './keys'
import { compareIds, type StreamEntry, type StreamReader } from './reader'

export function createRemoteFollower(deps: {
  redis: Redis
  keys: RedisKeys
  reader: StreamReader
}): (messageId: string, offset: number, signal: AbortSignal) => AsyncGenerator<AnswerFrame> {
  const { redis, keys, reader } = deps
  return async function* followRemote(messageId, offset, signal) {
    const key = keys.answer(messageId)
    const backlog = (await redis.xrange(key, '-', '+')) as StreamEntry[]
    if (backlog.length === 0) return
    const folded = foldBacklog(backlog.flatMap(entryFrames), offset)
    if (folded === null) return
    yield* folded
    if (folded.at(-1)?.type === 'final') return
    // The text this follower has: the final entry brings what the frames did not.
    let have = offset
    for (const frame of folded) if (frame.type === 'text') have = frame.offset + frame.text.length
    let lastId = backlog[backlog.length - 1]?.[0] ?? '0-0'
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
}
