import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loremText } from '@t3chat/llm/fake'
import type { ChatEvent } from '../src/index'
import { useHarness } from './harness'
import { collect, type Tracked } from './streams'
import {
  type Caller,
  deltaText,
  finalOf,
  messageRow,
  readUntil,
  requestsFor,
  seededRandom,
  sleep,
  streamToEnd,
  textAtLeast,
  waitFor,
} from './support/engine'

const h = useHarness()

const TOKENS = 200
const MODEL = `fake/lorem:tokens=${TOKENS},delay=2`
const FULL = loremText(TOKENS)
/**
 * The random cuts' answer: the same text, slow enough (2 s) that every cut — at most 24 events
 * in — lands while it is live, even on a hub whose frames wait for a 50 ms clock (Redis) on a
 * busy machine (regression: at 2 ms per token about half the cuts came after the end there, and
 * the coverage check below failed at 15 of 30).
 */
const LIVE_MODEL = `fake/lorem:tokens=${TOKENS},delay=10`
const SEED = 0x7c3a_2026
const CUT_POINTS = 30

/** Every delta's id is the content length once it is applied, counting from `offset`. */
function expectDeltaIds(events: Tracked<ChatEvent>[], offset: number): void {
  let length = offset
  for (const event of events) {
    if (event.data.type !== 'delta') continue
    length += event.data.text.length
    expect(event.id).toBe(String(length))
  }
}

/**
 * One trial: follow the answer, disconnect after `cut` events (breaking out of the loop),
 * stay away `pauseMs`, resubscribe with the last id received, and read to the end.
 */
async function cutAndResume(caller: Caller, cut: number, pauseMs: number) {
  const sent = await caller.chat.send({
    clientMessageId: randomUUID(),
    content: 'go',
    model: LIVE_MODEL,
  })
  const messageId = sent.assistantMessage.id
  const before = await collect<ChatEvent>(
    await caller.chat.stream({ messageId }),
    (event, all) => all.length >= cut || event.data.type === 'final',
  )
  const lastEventId = before.at(-1)?.id
  if (lastEventId === undefined) throw new Error('no event before the cut')
  await sleep(pauseMs)
  const after = await streamToEnd(caller, messageId, lastEventId)
  return { messageId, before, after, lastEventId }
}

describe('chat.stream resume with lastEventId', () => {
  it(`ends with exactly the final content at ${CUT_POINTS} seeded random cut points (seed ${SEED})`, async () => {
    const random = seededRandom(SEED)
    const plan = Array.from({ length: CUT_POINTS }, () => ({
      cut: 1 + Math.floor(random() * 24),
      pauseMs: Math.floor(random() * 40),
    }))
    // Three users with three answers each at a time: within the per-user limit, and busy enough
    // that cuts land before, during and after the text.
    const users = await Promise.all([h.user(), h.user(), h.user()])
    const trials: Awaited<ReturnType<typeof cutAndResume>>[] = []
    for (let i = 0; i < plan.length; i += 9) {
      const batch = plan.slice(i, i + 9)
      trials.push(
        ...(await Promise.all(
          batch.map((p, j) => {
            const user = users[j % users.length]
            if (user === undefined) throw new Error('no user')
            return cutAndResume(user.caller, p.cut, p.pauseMs)
          }),
        )),
      )
    }

    let resumedLive = 0
    for (const [i, t] of trials.entries()) {
      const label = `trial ${i} (cut ${plan[i]?.cut}, pause ${plan[i]?.pauseMs} ms)`
      const final = finalOf(t.after)
      expect(final.status, label).toBe('completed')
      expect(final.content, label).toBe(FULL)
      const had = deltaText(t.before)
      expect(t.lastEventId, label).toBe(String(had.length))
      expectDeltaIds(t.before, 0)
      expectDeltaIds(t.after, had.length)
      const resumed = deltaText(t.after)
      if (resumed.length > 0) resumedLive++
      // No gap, no duplicate: what came before the cut plus what came after is the answer.
      // (A stream that resumes after the end gets only the final message, which has it all.)
      if (t.before.at(-1)?.data.type !== 'final' && resumed.length > 0) {
        expect(had + resumed, label).toBe(FULL)
      }
      // Nothing resumed means the answer had ended: the final alone, or all text already seen.
      if (resumed.length === 0) expect(t.after.length === 1 || had === FULL, label).toBe(true)
      expect(FULL.startsWith(had), label).toBe(true)
      expect((await messageRow(h.db, t.messageId)).content, label).toBe(FULL)
    }
    // The plan must actually have exercised live resumption, not only finished answers.
    expect(resumedLive).toBeGreaterThan(CUT_POINTS / 2)
  })

  it('resumes across many cuts of one answer, each from the last id received', async () => {
    const { caller } = await h.user()
    const random = seededRandom(SEED + 1)
    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'go',
      model: MODEL,
    })
    let text = ''
    let lastEventId: string | undefined
    let cuts = 0
    for (;;) {
      const input = { messageId: sent.assistantMessage.id, ...(lastEventId ? { lastEventId } : {}) }
      const take = 1 + Math.floor(random() * 3)
      const events = await collect<ChatEvent>(
        await caller.chat.stream(input),
        (event, all) => all.length >= take || event.data.type === 'final',
      )
      expectDeltaIds(events, text.length)
      text += deltaText(events)
      lastEventId = events.at(-1)?.id ?? lastEventId
      const last = events.at(-1)?.data
      if (last?.type === 'final') {
        // Resumed after the end, a stream sends only the final message, which has all the text.
        expect(FULL.startsWith(text)).toBe(true)
        expect(last.message.content).toBe(FULL)
        text = last.message.content
        break
      }
      cuts++
    }
    expect(cuts).toBeGreaterThan(3)
    expect(text).toBe(FULL)
  })

  it('a resume after the end sends only the final message; a resume at the end sends no delta', async () => {
    const { caller } = await h.user()
    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'go',
      model: 'fake/lorem:tokens=5',
    })
    const all = await streamToEnd(caller, sent.assistantMessage.id)
    const replay = await streamToEnd(caller, sent.assistantMessage.id, '3')
    expect(replay.map((e) => e.data.type)).toEqual(['final'])
    expect(finalOf(replay)).toEqual(finalOf(all))
    expect(replay[0]?.id).toBe(String(loremText(5).length))
  })

  it('two subscribers on one stream see identical content', async () => {
    const { caller } = await h.user()
    const stranger = h.callerWith(`Bearer ${await h.tokenFor()}`)
    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'go',
      model: MODEL,
    })
    const messageId = sent.assistantMessage.id
    const both = Promise.all([
      streamToEnd(caller, messageId),
      // A second device of the same user, arriving a little later.
      sleep(30).then(() => streamToEnd(caller, messageId)),
    ])
    // Someone else cannot watch it, live or not.
    await expect(stranger.chat.stream({ messageId })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const [a, b] = await both
    expect(deltaText(a)).toBe(FULL)
    expect(deltaText(b)).toBe(FULL)
    expect(finalOf(a)).toEqual(finalOf(b))
  })
})

describe('an answer whose only client disconnects', () => {
  it('still finishes and is saved completed with the full text', async () => {
    const { caller } = await h.user()
    const model = `fake/lorem:tokens=${TOKENS},delay=2,run=left`
    const sent = await caller.chat.send({ clientMessageId: randomUUID(), content: 'go', model })
    const seen = await readUntil(caller, sent.assistantMessage.id, textAtLeast(1))
    expect(seen.at(-1)?.data.type).toBe('delta')
    const row = await waitFor(async () => {
      const r = await messageRow(h.db, sent.assistantMessage.id)
      return r.status !== 'pending' && r.status !== 'streaming' && r
    }, 'the answer to end')
    expect(row).toMatchObject({ status: 'completed', content: FULL, completionTokens: TOKENS })
    const [request] = requestsFor(h, model)
    await request?.finished
    expect(request?.aborted).toBe(false)
  })
})
