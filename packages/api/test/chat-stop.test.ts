import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loremText } from '@t3chat/llm/fake'
import { useHarness } from './harness'
import {
  deltaText,
  finalOf,
  messageRow,
  readUntil,
  requestsFor,
  sendAndFinish,
  sentMessages,
  streamToEnd,
  textAtLeast,
  waitFor,
} from './support/engine'

const h = useHarness()

describe('chat.stop', () => {
  it('mid-stream: cancelled, partial text kept, the upstream request aborted, subscribers see the end', async () => {
    const { caller } = await h.user()
    const model = 'fake/slow:tokens=100,run=stop-mid'
    const sent = await caller.chat.send({ clientMessageId: randomUUID(), content: 'go', model })
    const messageId = sent.assistantMessage.id
    const watching = streamToEnd(caller, messageId)
    await readUntil(caller, messageId, textAtLeast(loremText(3).length))

    const stopped = await caller.chat.stop({ messageId })
    expect(stopped).toMatchObject({ id: messageId, status: 'cancelled', error: null })
    expect(stopped.content.length).toBeGreaterThanOrEqual(loremText(3).length)
    expect(stopped.content.length).toBeLessThan(loremText(100).length)
    expect(loremText(100).startsWith(stopped.content)).toBe(true)
    expect(stopped.completedAt).not.toBeNull()

    const [request, ...retries] = requestsFor(h, model)
    expect(retries).toHaveLength(0)
    await request?.finished
    expect(request?.aborted).toBe(true)

    const events = await watching
    expect(finalOf(events)).toEqual(stopped)
    expect(deltaText(events)).toBe(stopped.content)
    const row = await messageRow(h.db, messageId)
    expect(row).toMatchObject({ status: 'cancelled', content: stopped.content, errorCode: null })

    // Stopping again returns it unchanged.
    expect(await caller.chat.stop({ messageId })).toEqual(stopped)

    // The conversation takes the next message, and the kept partial answer is in its context.
    const nextModel = 'fake/echo:run=after-stop'
    const next = await sendAndFinish(caller, {
      conversationId: sent.conversation.id,
      content: 'continue',
      model: nextModel,
    })
    expect(next.answer.status).toBe('completed')
    expect(sentMessages(requestsFor(h, nextModel)[0])).toEqual([
      { role: 'user', content: 'go' },
      { role: 'assistant', content: stopped.content },
      { role: 'user', content: 'continue' },
    ])
  })

  it('before the first token: cancelled with empty text, and the request aborted', async () => {
    const { caller } = await h.user()
    const model = 'fake/echo:first=2000'
    const sent = await caller.chat.send({ clientMessageId: randomUUID(), content: 'late', model })
    const [status] = await readUntil(caller, sent.assistantMessage.id, (all) => all.length >= 1)
    expect(status?.data).toEqual({ type: 'status', status: 'pending' })
    // The upstream request must exist before the stop, or there would be nothing to abort.
    await waitFor(() => requestsFor(h, model).length === 1, 'the upstream request')
    const started = Date.now()
    const stopped = await caller.chat.stop({ messageId: sent.assistantMessage.id })
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(stopped).toMatchObject({ status: 'cancelled', content: '' })
    const request = requestsFor(h, model)[0]
    await request?.finished
    expect(request?.aborted).toBe(true)
    expect((await messageRow(h.db, sent.assistantMessage.id)).status).toBe('cancelled')
  })

  it('on a finished message returns it unchanged and changes nothing', async () => {
    const { caller } = await h.user()
    const { answer, userMessage } = await sendAndFinish(caller, {
      content: 'all done',
      model: 'fake/echo',
    })
    const before = await messageRow(h.db, answer.id)
    expect(await caller.chat.stop({ messageId: answer.id })).toEqual(answer)
    expect(await messageRow(h.db, answer.id)).toEqual(before)
    // A user message is finished too.
    expect(await caller.chat.stop({ messageId: userMessage.id })).toEqual(userMessage)
  })

  it('by another user is NOT_FOUND and leaves the generation running', async () => {
    const { caller } = await h.user()
    const stranger = await h.user()
    const sent = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'mine',
      model: 'fake/lorem:tokens=30,delay=5',
    })
    await expect(
      stranger.caller.chat.stop({ messageId: sent.assistantMessage.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const final = finalOf(await streamToEnd(caller, sent.assistantMessage.id))
    expect(final).toMatchObject({ status: 'completed', content: loremText(30) })
  })

  it('deleting the conversation mid-stream stops the answer first, aborts the upstream and removes every row', async () => {
    const { caller } = await h.user()
    const model = 'fake/slow:tokens=100,run=delete-mid'
    const sent = await caller.chat.send({ clientMessageId: randomUUID(), content: 'go', model })
    const watching = streamToEnd(caller, sent.assistantMessage.id)
    await readUntil(caller, sent.assistantMessage.id, textAtLeast(1))

    expect(await caller.conversation.delete({ id: sent.conversation.id })).toEqual({
      id: sent.conversation.id,
    })
    expect(finalOf(await watching).status).toBe('cancelled')
    const request = requestsFor(h, model)[0]
    await request?.finished
    expect(request?.aborted).toBe(true)
    const left = await h.db
      .selectFrom('messages')
      .select('id')
      .where('conversationId', '=', sent.conversation.id)
      .execute()
    expect(left).toEqual([])
    await expect(caller.conversation.get({ id: sent.conversation.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })
})
