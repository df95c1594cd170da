import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import type { AnswerFrame, AnswerKey } from '../src/chat/hub'
import { entryFrames, frameFields, textFields } from '../src/chat/redis/frames'
import type { StreamEntry } from '../src/chat/redis/reader'
import { waitFor } from './support/engine'
import { finalMessage, redisInstances } from './support/hubs'

/**
 * An answer's stream entries are keyed by where their text ends, so a follower on another
 * instance reads exactly the entries after its offset, with the answer's metadata, in one
 * round trip. Streams written before (ids from the clock) still resume.
 */
describe('answer streams in Redis: entry ids', () => {
  const { instances, close } = redisInstances()
  const [a, b] = instances
  afterAll(close)

  const newKey = (): AnswerKey => ({
    messageId: randomUUID(),
    userId: randomUUID(),
    conversationId: randomUUID(),
  })
  const entriesOf = async (messageId: string, from = '-') =>
    (await a.redis.xrange(a.hub.keys.answer(messageId), from, '+')) as StreamEntry[]

  /** Reads a follower's frames until it has `want` (the whole text), then stops it. */
  async function resumeText(messageId: string, offset: number, want: string): Promise<string> {
    const controller = new AbortController()
    const attached = await b.hub.attach(messageId, offset, controller.signal)
    let text = want.slice(0, offset)
    for await (const frame of attached?.frames ?? []) {
      if (frame.type === 'text') {
        expect(frame.offset).toBeLessThanOrEqual(text.length)
        text = text.slice(0, frame.offset) + frame.text
      }
      if (text.length >= want.length) break
    }
    controller.abort()
    return text
  }

  it('each entry’s id is where its text ends, then a count: a read from <offset>-0 has exactly the entries a follower there misses', async () => {
    const key = newKey()
    const writer = await a.hub.open(key)
    writer.setStatus('streaming')
    let text = ''
    for (let i = 0; i < 12; i++) {
      const word = `word${i} `
      writer.append(word)
      text += word
      // One entry per word: the next is appended once this one is in Redis.
      await waitFor(
        async () =>
          (await entriesOf(key.messageId)).some(([id]) => id.startsWith(`${text.length}-`)),
        'the word’s entry',
      )
    }
    const entries = await entriesOf(key.messageId)
    let end = 0
    let count = 0
    for (const entry of entries) {
      const [ms, n] = entry[0].split('-').map(Number) as [number, number]
      for (const frame of entryFrames(entry))
        if (frame.type === 'text') end = frame.offset + frame.text.length
      expect(ms).toBe(end)
      expect(n).toBe(++count)
    }
    expect(end).toBe(text.length)

    const offset = text.indexOf('word7')
    const after = await entriesOf(key.messageId, `${offset}-0`)
    const frames = after.flatMap(entryFrames)
    const texts = frames.filter((frame) => frame.type === 'text')
    // The first entry holds the offset (it ends there or later); none before it is read.
    expect(texts[0]?.offset).toBeLessThanOrEqual(offset)
    expect(texts.slice(1).every((frame) => frame.offset >= offset)).toBe(true)
    expect(after.length).toBeLessThan(entries.length / 2)
    expect(await resumeText(key.messageId, offset, text)).toBe(text)
    await writer.finish(finalMessage(key, text))
  })

  it('a stream written with clock ids (before this scheme) resumes at any offset, live and after its end', async () => {
    const key = newKey()
    const stream = a.hub.keys.answer(key.messageId)
    await a.redis.set(
      a.hub.keys.answerMeta(key.messageId),
      JSON.stringify({ ...key, owner: a.hub.instanceId }),
    )
    const words = ['one ', 'two ', 'three ', 'four ', 'five ']
    await a.redis.xadd(stream, '*', ...frameFields({ type: 'status', status: 'pending' }, 0))
    let text = ''
    for (const [i, word] of words.entries()) {
      await a.redis.xadd(
        stream,
        '*',
        ...textFields(text.length, word, i === 0 ? 'streaming' : null),
      )
      text += word
    }
    for (const offset of [0, 4, text.indexOf('four'), text.length])
      expect(await resumeText(key.messageId, offset, text)).toBe(text)
    // Its end: the final entry (clock id) brings the whole text.
    const final = finalMessage(key, text)
    await a.redis.xadd(stream, '*', ...frameFields({ type: 'final', message: final }, 0))
    const controller = new AbortController()
    const frames: AnswerFrame[] = []
    for await (const frame of b.hub.follow(key.messageId, 8, controller.signal)) frames.push(frame)
    expect(frames).toEqual([
      { type: 'text', offset: 8, text: text.slice(8) },
      { type: 'final', message: final },
    ])
  })
})
