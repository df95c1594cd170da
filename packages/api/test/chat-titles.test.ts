import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'
import {
  finalMessage,
  readUntil,
  requestsFor,
  sendAndFinish,
  sentMessages,
  textAtLeast,
} from './support/engine'
import { watchEvents } from './support/user-events'

const TITLE_MODEL = 'fake/title:text=Generated%20title'

describe('titles from TITLE_MODEL', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ config: { titleModel: TITLE_MODEL } })
  })
  afterAll(async () => {
    await h.close()
  })
  const titleRequests = () => requestsFor(h, TITLE_MODEL).length

  it('after the first completed answer: stored and announced as conversation.updated', async () => {
    const { token, caller } = await h.user()
    const device = await watchEvents(h, token)
    const before = titleRequests()
    const first = await sendAndFinish(caller, {
      content: 'How do I bake sourdough bread?',
      model: 'fake/echo',
    })
    expect(first.conversation.title).toBeNull()
    await h.deps.runner.idle()

    const conversation = await caller.conversation.get({ id: first.conversation.id })
    expect(conversation.title).toBe('Generated title')
    const announced = await device.until(
      (e) => e.type === 'conversation.updated' && e.conversation.title === 'Generated title',
      'the title event',
    )
    expect(announced.data).toEqual({ type: 'conversation.updated', conversation })
    await device.stop()

    // One non-streaming request to the title model, about the first exchange.
    const requests = requestsFor(h, TITLE_MODEL)
    expect(requests).toHaveLength(before + 1)
    const request = requests.at(-1)
    expect(request?.body.stream).toBe(false)
    const prompt = sentMessages(request).at(-1)?.content ?? ''
    expect(prompt).toContain('How do I bake sourdough bread?')

    // Only the first answer names the conversation.
    await sendAndFinish(caller, { conversationId: first.conversation.id, content: 'and rye?' })
    await h.deps.runner.idle()
    expect(titleRequests()).toBe(before + 1)
    expect((await caller.conversation.get({ id: first.conversation.id })).title).toBe(
      'Generated title',
    )
  })

  it('a title set at creation is never overwritten (and no title is asked for)', async () => {
    const { caller } = await h.user()
    const created = await caller.conversation.create({ title: 'My own title' })
    const before = titleRequests()
    await sendAndFinish(caller, { conversationId: created.id, content: 'hi', model: 'fake/echo' })
    await h.deps.runner.idle()
    expect((await caller.conversation.get({ id: created.id })).title).toBe('My own title')
    expect(titleRequests()).toBe(before)
  })

  it('a title the user sets while the first answer streams is never overwritten', async () => {
    const { token, caller } = await h.user()
    const device = await watchEvents(h, token)
    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'long story',
      model: 'fake/slow:tokens=100',
    })
    await readUntil(caller, sent.assistantMessage.id, textAtLeast(1))
    await caller.conversation.update({ id: sent.conversation.id, title: 'Renamed by me' })
    expect((await finalMessage(caller, sent.assistantMessage.id)).status).toBe('completed')
    await h.deps.runner.idle()
    expect((await caller.conversation.get({ id: sent.conversation.id })).title).toBe(
      'Renamed by me',
    )
    await device.stop()
    const titles = device.events.flatMap((e) =>
      e.data.type === 'conversation.updated' ? [e.data.conversation.title] : [],
    )
    expect(titles).not.toContain('Generated title')
    expect(titles).toContain('Renamed by me')
  })

  it('waits for the first COMPLETED answer: a failed first answer names nothing', async () => {
    const { caller } = await h.user()
    const before = titleRequests()
    const failed = await sendAndFinish(caller, {
      content: 'will fail',
      model: 'fake/error:status=401',
    })
    expect(failed.answer.status).toBe('error')
    await h.deps.runner.idle()
    expect((await caller.conversation.get({ id: failed.conversation.id })).title).toBeNull()
    expect(titleRequests()).toBe(before)

    await sendAndFinish(caller, {
      conversationId: failed.conversation.id,
      content: 'now works',
      model: 'fake/echo',
    })
    await h.deps.runner.idle()
    expect((await caller.conversation.get({ id: failed.conversation.id })).title).toBe(
      'Generated title',
    )
  })
})

describe('title fallback when the title model fails', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ config: { titleModel: 'fake/error:status=500' } })
  })
  afterAll(async () => {
    await h.close()
  })

  it('names the conversation after the first words of the first message, and announces it', async () => {
    const { token, caller } = await h.user()
    const device = await watchEvents(h, token)
    const content =
      'Plan a three day trip to Lisbon in the spring   with good food, music and long walks along the river Tagus please'
    const first = await sendAndFinish(caller, { content, model: 'fake/echo' })
    await h.deps.runner.idle()
    expect(requestsFor(h, 'fake/error:status=500').length).toBeGreaterThan(0)

    const title = (await caller.conversation.get({ id: first.conversation.id })).title ?? ''
    const flat = content.replace(/\s+/g, ' ')
    expect(title.length).toBeGreaterThan(0)
    expect(title.length).toBeLessThanOrEqual(80)
    expect(flat.startsWith(title)).toBe(true)
    expect(flat[title.length]).toBe(' ') // cut at a word boundary
    expect(title.startsWith('Plan a three day trip to Lisbon')).toBe(true)
    await device.until(
      (e) => e.type === 'conversation.updated' && e.conversation.title === title,
      'the fallback title event',
    )
    await device.stop()
  })
})
