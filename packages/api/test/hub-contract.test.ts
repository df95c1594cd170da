import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AnswerFrame, AnswerKey, Hub } from '../src/chat/hub'
import type { Message, UserEvent } from '../src/index'
import { hubImplementations, type HubPair } from './support/hubs'
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

  function finalMessage(key: AnswerKey, content: string): Message {
    return {
      id: key.messageId,
      conversationId: key.conversationId,
      parentId: null,
      branch: { index: 1, count: 1 },
      seq: 2,
      role: 'assistant',
      content,
      model: 'fake/echo',
      status: 'completed',
      error: null,
      usage: null,
      createdAt: new Date().toISOString(),
      completedAt: new Date().toISOString(),
    }
  }

  async function framesOf(messageId: string, offset: number, on = hub): Promise<AnswerFrame[]> {
    const frames: AnswerFrame[] = []
    for await (const frame of on.follow(messageId, offset, AbortSignal.timeout(20_000)))
      frames.push(frame)
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
      offsets.map((offset) => ({ offset, frames: framesOf(key.messageId, offset, on) })),
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

  it('after the end, a follower gets the final state or nothing (then the database has it)', async () => {
    const key = newKey()
    const writer = await hub.open(key)
    writer.append('done')
    await writer.finish(finalMessage(key, 'done'))
    const frames = await framesOf(key.messageId, 2)
    if (frames.length > 0) expect(frames.at(-1)).toMatchObject({ type: 'final' })
    expect(await framesOf(randomUUID(), 0)).toEqual([])
    expect(await hub.lookup(randomUUID())).toBeNull()
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
