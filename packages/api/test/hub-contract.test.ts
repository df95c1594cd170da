import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AnswerFrame, AnswerKey, Hub } from '../src/chat/hub'
import type { UserEvent } from '../src/index'
import { finalMessage, hubImplementations, type HubPair } from './support/hubs'
import { waitFor } from './support/engine'

/**
 * The hub's contract, run against every implementation: what the turn services, the runner
 * and chat.stream rely on, whatever carries live answers and user events.
 */
describe.each(hubImplementations())('hub contract: $name', ({ create }) => {
  let pair: HubPair
  /** The instance generating the answers; `peer` is another one (a follower elsewhere). */
  let hub: Hub
  let peer: Hub
  beforeAll(async () => {
    pair = await create()
    ;({ hub, peer } = pair)
  })
  afterAll(async () => {
    await pair.close()
  })

  const newKey = (): AnswerKey => ({
    messageId: randomUUID(),
    userId: randomUUID(),
    conversationId: randomUUID(),
  })

  /** A follower's frames, through `follow` or through `attach` (the answer and its frames at once). */
  async function framesOf(
    messageId: string,
    offset: number,
    on = hub,
    via: 'follow' | 'attach' = 'follow',
  ): Promise<AnswerFrame[]> {
    const signal = AbortSignal.timeout(20_000)
    let source: AsyncIterable<AnswerFrame> = on.follow(messageId, offset, signal)
    if (via === 'attach') {
      const attached = await on.attach(messageId, offset, signal)
      if (attached === null) return []
      expect(attached.answer).toMatchObject({ messageId, owner: hub.instanceId })
      source = attached.frames
    }
    const frames: AnswerFrame[] = []
    for await (const frame of source) frames.push(frame)
    return frames
  }

  /** The text a follower at `offset` ends up with (frames may repeat what it has). */
  function applied(frames: AnswerFrame[], offset: number, start = ''): string {
    let text = start
    for (const frame of frames) {
      if (frame.type !== 'text') continue
      expect(frame.offset).toBeLessThanOrEqual(offset)
      const end = frame.offset + frame.text.length
      if (end > offset) {
        text += frame.text.slice(offset - frame.offset)
        offset = end
      }
    }
    return text
  }

  it('follows an answer, here and elsewhere: status first, the text without gap or duplicate at any offset, then final', async () => {
    const key = newKey()
    const writer = await hub.open(key)
    expect(await peer.lookup(key.messageId)).toMatchObject({ ...key, owner: hub.instanceId })
    const fromStart = [hub, peer].map((on) => framesOf(key.messageId, 0, on))
    const tokens = Array.from({ length: 300 }, (_, i) => `t${i} `)
    writer.setStatus('streaming')
    for (const [i, token] of tokens.entries()) {
      writer.append(token)
      if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const text = tokens.join('')
    expect(writer.text()).toBe(text)
    // Followers arriving mid-answer, from several offsets (a resume with lastEventId).
    const offsets = [0, 1, 7, Math.floor(text.length / 2), text.length - 1, text.length]
    const resumed = [hub, peer].flatMap((on) =>
      (['follow', 'attach'] as const).flatMap((via) =>
        offsets.map((offset) => ({ offset, frames: framesOf(key.messageId, offset, on, via) })),
      ),
    )
    // Text of the last moment, not framed yet when the answer ends.
    writer.append('end.')
    // One message object: two calls a millisecond apart would differ in their times.
    const final = finalMessage(key, `${text}end.`)
    await writer.finish(final)

    for (const pending of fromStart) {
      const frames = await pending
      expect(frames[0]).toMatchObject({ type: 'status' })
      expect(frames).toContainEqual({ type: 'status', status: 'streaming' })
      expect(frames.at(-1)).toEqual({ type: 'final', message: final })
      expect(applied(frames, 0)).toBe(final.content)
      // Coalesced: far fewer frames than tokens.
      expect(frames.filter((f) => f.type === 'text').length).toBeLessThan(tokens.length / 2)
    }
    for (const { offset, frames: pending } of resumed) {
      const got = await pending
      expect(got.at(-1)).toMatchObject({ type: 'final' })
      expect(applied(got, offset, final.content.slice(0, offset))).toBe(final.content)
    }
  })

  it('a long answer (40 frames) resumes at any offset, live and after its end', async () => {
    const key = newKey()
    const writer = await hub.open(key)
    writer.setStatus('streaming')
    // One frame per word: each is appended once a follower elsewhere has the one before.
    const signal = AbortSignal.timeout(20_000)
    const watcher = peer.follow(key.messageId, 0, signal)[Symbol.asyncIterator]()
    let seen = 0
    let text = ''
    for (let i = 0; i < 40; i++) {
      const word = `w${i} `
      writer.append(word)
      text += word
      while (seen < text.length) {
        const step = await watcher.next()
        if (step.done === true) throw new Error('the answer ended early')
        if (step.value.type === 'text')
          seen = Math.max(seen, step.value.offset + step.value.text.length)
      }
    }
    await watcher.return?.()
    const offsets = [0, 3, Math.floor(text.length / 2), text.length - 4, text.length]
    // Live: each resumed follower has its backlog (status, then the text it misses) first.
    const live = await Promise.all(
      (['follow', 'attach'] as const).flatMap((via) =>
        offsets.map(async (offset) => {
          const source =
            via === 'follow'
              ? peer.follow(key.messageId, offset, signal)
              : (await peer.attach(key.messageId, offset, signal))?.frames
          const reading = source?.[Symbol.asyncIterator]()
          const frames: AnswerFrame[] = []
          for (
            let step = await reading?.next();
            step?.done === false;
            step = await reading?.next()
          ) {
            frames.push(step.value)
            if (applied(frames, offset, text.slice(0, offset)) === text) break
          }
          expect(frames[0]).toEqual({ type: 'status', status: 'streaming' })
          return { offset, frames, reading }
        }),
      ),
    )
    const final = finalMessage(key, text)
    await writer.finish(final)
    for (const { offset, frames, reading } of live) {
      for (let step = await reading?.next(); step?.done === false; step = await reading?.next())
        frames.push(step.value)
      expect(frames.at(-1)).toEqual({ type: 'final', message: final })
      expect(applied(frames, offset, text.slice(0, offset))).toBe(text)
    }
    // After the end: the final state (or nothing, where the hub let go of the answer).
    for (const via of ['follow', 'attach'] as const)
      for (const offset of offsets) {
        const frames = await framesOf(key.messageId, offset, peer, via)
        if (frames.length === 0) continue
        expect(frames.at(-1)).toEqual({ type: 'final', message: final })
        expect(applied(frames, offset, text.slice(0, offset))).toBe(text)
      }
  }, 30_000)

  it('after the end, a follower gets the final state or nothing (then the database has it)', async () => {
    const key = newKey()
    const writer = await hub.open(key)
    writer.append('done')
    await writer.finish(finalMessage(key, 'done'))
    const frames = await framesOf(key.messageId, 2)
    if (frames.length > 0) expect(frames.at(-1)).toMatchObject({ type: 'final' })
    expect(await framesOf(randomUUID(), 0)).toEqual([])
    expect(await hub.lookup(randomUUID())).toBeNull()
    for (const on of [hub, peer])
      expect(await on.attach(randomUUID(), 0, AbortSignal.timeout(5_000))).toBeNull()
  })

  it('attach gives the live answer from any instance; its frames count as a follower only while read', async () => {
    const key = newKey()
    const writer = await hub.open(key)
    writer.setStatus('streaming')
    writer.append('partial')
    for (const on of [hub, peer]) {
      const before = on.followers()
      const attached = await on.attach(key.messageId, 0, AbortSignal.timeout(10_000))
      expect(attached?.answer).toEqual({ ...key, owner: hub.instanceId })
      // Dropped unread (someone else's answer): nothing is attached.
      expect(on.followers()).toBe(before)
      const reading = attached?.frames[Symbol.asyncIterator]()
      expect((await reading?.next())?.value).toMatchObject({ type: 'status' })
      expect(on.followers()).toBe(before + 1)
      await reading?.return?.()
      expect(on.followers()).toBe(before)
    }
    await writer.finish(finalMessage(key, 'partial'))
  })

  it('waitFor resolves when the answer goes live, and null after its timeout', async () => {
    const key = newKey()
    const waiting = hub.waitFor(key.messageId, 10_000, AbortSignal.timeout(10_000))
    const writer = await hub.open(key)
    expect(await waiting).toMatchObject(key)
    await writer.finish(finalMessage(key, ''))
    expect(await hub.waitFor(randomUUID(), 50, AbortSignal.timeout(5_000))).toBeNull()
  })

  it('requestStop reaches the writer and resolves with the final message it saves', async () => {
    const key = newKey()
    const writer = await hub.open(key)
    writer.append('partial')
    let asked = 0
    writer.onStop(() => {
      asked++
      void writer.finish({ ...finalMessage(key, 'partial'), status: 'cancelled' })
    })
    const stopped = await hub.requestStop(key.messageId, 5_000)
    expect(asked).toBe(1)
    expect(stopped).toMatchObject({ id: key.messageId, status: 'cancelled', content: 'partial' })
    expect(await hub.requestStop(randomUUID(), 200)).toBeNull()
  })

  it('delivers user events in order, resumes after an id, and follows from live for an unknown id', async () => {
    const userId = randomUUID()
    const events: UserEvent[] = ['a', 'b', 'c'].map((conversationId) => ({
      type: 'conversation.deleted',
      conversationId,
    }))
    const controller = new AbortController()
    const feed = await hub.subscribe(userId, null, controller.signal)
    const got: { id: string; event: UserEvent }[] = []
    const reading = (async () => {
      for await (const item of feed) {
        got.push(item)
        if (got.length === events.length) break
      }
    })()
    expect(hub.followers()).toBeGreaterThan(0)
    for (const event of events) await hub.publish(userId, event)
    await reading
    expect(got.map((g) => g.event)).toEqual(events)
    expect(new Set(got.map((g) => g.id)).size).toBe(3)

    const first = got[0]?.id ?? ''
    const resumed = await hub.subscribe(userId, first, AbortSignal.timeout(10_000))
    const again: UserEvent[] = []
    for await (const item of resumed) {
      again.push(item.event)
      if (again.length === 2) break
    }
    expect(again).toEqual(events.slice(1))

    const unknown = await hub.subscribe(userId, 'not-an-id', controller.signal)
    const next = unknown[Symbol.asyncIterator]().next()
    await hub.publish(userId, { type: 'conversation.deleted', conversationId: 'd' })
    expect((await next).value).toMatchObject({
      event: { type: 'conversation.deleted', conversationId: 'd' },
    })
    controller.abort()
    await waitFor(() => hub.followers() === 0, 'feeds to detach')
  })

  it('knows its own instance is alive, and an unknown one is not', async () => {
    expect(await hub.isAlive(hub.instanceId)).toBe(true)
    expect(await hub.isAlive(randomUUID())).toBe(false)
  })
})
