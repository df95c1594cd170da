import type { AnswerFrame, Hub } from '@t3chat/api'

/** A hub's `attach` at `offset` → the answer's first frame (null: not live), follower stopped. */
export async function firstFrameOf(
  hub: Hub,
  messageId: string,
  offset: number,
): Promise<AnswerFrame | null> {
  const stop = new AbortController()
  const live = await hub.attach(messageId, offset, stop.signal)
  const frames = live?.frames[Symbol.asyncIterator]()
  const first = await frames?.next()
  stop.abort()
  void frames?.return?.(undefined)
  return first?.done === false ? first.value : null
}
