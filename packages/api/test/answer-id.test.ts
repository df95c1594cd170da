import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loremText } from '@t3chat/llm/fake'
import type { ChatEvent } from '../src/index'
import { useHarness } from './harness'
import { collect } from './streams'

const h = useHarness()

describe('one round trip: subscribing to a client-chosen answer id', () => {
  it('streams the whole answer when the subscription starts before chat.send', async () => {
    const { caller } = await h.user()
    const assistantMessageId = randomUUID()
    const subscribed = caller.chat.stream({ messageId: assistantMessageId })
    // Long enough (400 ms) to be live when the subscription looks: an instant answer can start
    // and end between two looks at a shared hub, and then only its final event comes (with the
    // whole text; regression seen on the Redis hub once sends got faster).
    const sent = caller.chat.send({
      clientMessageId: randomUUID(),
      assistantMessageId,
      content: 'one round trip please',
      model: 'fake/lorem:tokens=20,delay=20',
    })
    const [events, result] = await Promise.all([
      subscribed.then((it) => collect<ChatEvent>(it)),
      sent,
    ])
    expect(result.assistantMessage.id).toBe(assistantMessageId)
    const text = events.flatMap((e) => (e.data.type === 'delta' ? [e.data.text] : [])).join('')
    expect(text).toBe(loremText(20))
    expect(events.at(-1)?.data).toMatchObject({
      type: 'final',
      message: { status: 'completed', content: loremText(20) },
    })
  })

  it('does not let another user follow an answer id they guessed', async () => {
    const a = await h.user()
    const b = await h.user()
    const assistantMessageId = randomUUID()
    const spying = b.caller.chat.stream({ messageId: assistantMessageId })
    await a.caller.chat.send({
      clientMessageId: randomUUID(),
      assistantMessageId,
      content: 'mine',
      model: 'fake/echo',
    })
    await expect(spying).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('refuses an answer id that is already taken, and writes nothing', async () => {
    const { caller } = await h.user()
    const first = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'first',
      model: 'fake/echo',
    })
    const before = await h.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    await expect(
      caller.chat.send({
        clientMessageId: randomUUID(),
        assistantMessageId: first.assistantMessage.id,
        content: 'second',
        model: 'fake/echo',
      }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('assistantMessageId'),
    })
    const after = await h.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
  })
})
