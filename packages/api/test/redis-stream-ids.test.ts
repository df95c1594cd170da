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
 * round trip; an entry is its id and one field per frame. A stream of the previous format
 * (another key, seven strings an entry) is not read: such an answer is followed from the
 * database.
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
    // Each text entry, placed where its id says it ends, rebuilds the text: the ids are right.
    let rebuilt = ''
    let count = 0
    for (const entry of entries) {
      const [end, n] = entry[0].split('-').map(Number) as [number, number]
      expect(n).toBe(++count)
      expect(entry[1].length).toBeLessThanOrEqual(4)
      for (const frame of entryFrames(entry))
        if (frame.type === 'text') {
          expect(frame.offset).toBe(rebuilt.length)
          rebuilt += frame.text
          expect(rebuilt).toBe(text.slice(0, end))
        }
    }
    expect(rebuilt).toBe(text)

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

  it('an answer whose stream has the previous format (its key) ends at once: chat.stream then reads the database', async () => {
    const key = newKey()
    await a.redis.set(
      a.hub.keys.answerMeta(key.messageId),
      JSON.stringify({ ...key, owner: a.hub.instanceId }),
    )
    // As the previous version wrote it: `answer:<id>`, fields k, o and d.
    const previous = a.hub.keys.answer(key.messageId).replace(/frames:([^:]+)$/, 'answer:$1')
    expect(previous).not.toBe(a.hub.keys.answer(key.messageId))
    await a.redis.xadd(previous, '5-1', 'k', 'x', 'o', '0', 'd', 'hello', 's', 'streaming')
    const controller = new AbortController()
    const attached = await b.hub.attach(key.messageId, 0, controller.signal)
    expect(attached?.answer.userId).toBe(key.userId)
    const frames: AnswerFrame[] = []
    for await (const frame of attached?.frames ?? []) frames.push(frame)
    expect(frames).toEqual([])
    await a.redis.del(previous, a.hub.keys.answerMeta(key.messageId))
  })

  it('reads every kind of entry back as the frames written', () => {
    const final = finalMessage(newKey(), 'hello world')
    expect(entryFrames(['0-1', frameFields({ type: 'status', status: 'pending' })])).toEqual([
      { type: 'status', status: 'pending' },
    ])
    expect(entryFrames(['5-2', textFields('hello', 'streaming')])).toEqual([
      { type: 'status', status: 'streaming' },
      { type: 'text', offset: 0, text: 'hello' },
    ])
    expect(entryFrames(['11-3', textFields(' world', null)])).toEqual([
      { type: 'text', offset: 5, text: ' world' },
    ])
    expect(
      entryFrames(['1764633600000-0', frameFields({ type: 'final', message: final })]),
    ).toEqual([{ type: 'final', message: final }])
    // A field this version does not know is skipped, not misread.
    expect(entryFrames(['12-4', ['z', '?', 'x', '!']])).toEqual([
      { type: 'text', offset: 11, text: '!' },
    ])
  })
})
