import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { unsubscribeAll } from './support/recording'
import { startTestServer, type TestServer } from './support/test-server'
import { rejectionCode, sendAndStream } from './support/wire'

// search.messages through the real server and the real client (plain HTTP query).

let ts: TestServer
beforeAll(async () => {
  ts = await startTestServer()
})
afterEach(() => unsubscribeAll())
afterAll(async () => {
  await ts.close()
})

describe('search.messages over the wire', () => {
  it("finds the user's own words with highlights; others see nothing; bad queries are 400s", async () => {
    const client = ts.client('sse', await ts.token(randomUUID()))
    const { sent, stream } = await sendAndStream(client, {
      clientMessageId: randomUUID(),
      content: 'The zeppelin landed in Zürich',
      model: 'fake/echo',
    })
    expect(await stream.settled()).toBe('completed')

    const page = await client.search.messages.query({ query: 'zurich zepp' })
    const hit = page.items.find((i) => i.messageId === sent.userMessage.id)
    expect(hit).toMatchObject({
      conversationId: sent.conversation.id,
      seq: 1,
      role: 'user',
      field: 'content',
      snippet: 'The zeppelin landed in Zürich',
    })
    expect(hit?.highlights.map(([s, e]) => hit.snippet.slice(s, e))).toStrictEqual([
      'zeppelin',
      'Zürich',
    ])
    // The echoed answer says the same words.
    expect(page.items.map((i) => i.role).sort()).toStrictEqual(['assistant', 'user'])

    const other = ts.client('sse', await ts.token(randomUUID()))
    expect((await other.search.messages.query({ query: 'zeppelin' })).items).toStrictEqual([])
    expect(
      await rejectionCode(
        other.search.messages.query({ query: 'zeppelin', conversationId: sent.conversation.id }),
      ),
    ).toBe('NOT_FOUND')
    expect(await rejectionCode(client.search.messages.query({ query: 'z'.repeat(201) }))).toBe(
      'BAD_REQUEST',
    )
    expect(await rejectionCode(client.search.messages.query({ query: '-zeppelin' }))).toBe(
      'BAD_REQUEST',
    )
  })
})
