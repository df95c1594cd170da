import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TRPCClientError } from '@t3chat/client'
import { eventually, unsubscribeAll } from './support/recording'
import { startTestServer, type TestServer } from './support/test-server'
import { errorData, streamOf } from './support/wire'

// What an error response may say: never a stack, SQL or library text, whatever NODE_ENV is
// (vitest runs with NODE_ENV=test, where tRPC used to add `data.stack`); an unexpected error is
// "Internal error" with a request id that is in the log, for calls and for subscriptions alike.

let ts: TestServer
beforeAll(async () => {
  ts = await startTestServer({}, { logLevel: 'debug' })
})
afterEach(() => unsubscribeAll())
afterAll(async () => {
  await ts.close()
})

/** Everything a client could read from a response, flattened to one string. */
const LEAKS = /stack|node_modules|\/work\/|violates|constraint|select |update |insert |at async/i

describe('an unexpected error in a call', () => {
  it('is INTERNAL_SERVER_ERROR "Internal error" with a request id that is in the log', async () => {
    const token = await ts.token()
    const client = ts.client('sse', token)
    await client.user.me.query()
    const marker = `boom-${randomUUID()}`
    await sql`alter table users add constraint no_boom check (display_name is distinct from ${sql.lit(marker)})`.execute(
      ts.db,
    )
    try {
      const response = await fetch(`${ts.url}/user.update`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'x-request-id': 'probe-42',
        },
        body: JSON.stringify({ displayName: marker }),
      })
      expect(response.status).toBe(500)
      const text = await response.text()
      expect(text).not.toMatch(LEAKS)
      const body = JSON.parse(text) as {
        error: { message: string; data: { code: string; requestId?: string } }
      }
      expect(body.error.message).toBe('Internal error')
      expect(body.error.data.code).toBe('INTERNAL_SERVER_ERROR')
      expect(body.error.data.requestId).toBe('probe-42')
      const logged = ts.logs.find((line) => line.includes('"reqId":"probe-42"'))
      expect(logged).toMatch(/"level":50/)
      expect(logged).toMatch(/no_boom/)
    } finally {
      await sql`alter table users drop constraint no_boom`.execute(ts.db)
    }
  })

  it('a body that is not JSON is PARSE_ERROR without the parser’s words', async () => {
    const response = await fetch(`${ts.url}/conversation.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await ts.token()}`, 'content-type': 'application/json' },
      body: '{"title": ',
    })
    const text = await response.text()
    expect(response.status).toBe(400)
    expect(text).not.toMatch(LEAKS)
    expect(text).not.toMatch(/Unexpected end|JSON at position/)
  })
})

describe('an unexpected error while a subscription iterates', () => {
  it('goes through the same mapping: "Internal error", a request id, no SQL', async () => {
    const token = await ts.token()
    const client = ts.client('sse', token)
    const conversation = await client.conversation.create.mutate({ title: 'Elsewhere' })
    // An answer generating on another instance: this one follows it from the database.
    const messageId = randomUUID()
    await ts.db
      .insertInto('messages')
      .values({
        id: messageId,
        conversationId: conversation.id,
        seq: 1,
        role: 'assistant',
        status: 'streaming',
        content: 'so far',
      })
      .execute()
    const stream = streamOf(client, messageId)
    await stream.waitFor((e) => e.data.type === 'delta')
    await sql`alter table messages rename to messages_away`.execute(ts.db)
    let error: unknown
    try {
      // A 5xx arrives as the subscription's connection error (the client then reconnects).
      error = await eventually(
        () => stream.errors[0] ?? stream.states.find((s) => s.error != null)?.error,
      )
    } finally {
      await sql`alter table messages_away rename to messages`.execute(ts.db)
    }
    expect(error).toBeInstanceOf(TRPCClientError)
    const clientError = error as TRPCClientError<never>
    expect(clientError.message).toBe('Internal error')
    const data = errorData(error)
    expect(data?.code).toBe('INTERNAL_SERVER_ERROR')
    expect(data?.stack).toBeUndefined()
    expect(JSON.stringify(data)).not.toMatch(LEAKS)
    const requestId = data?.requestId
    expect(typeof requestId).toBe('string')
    expect(ts.logs.some((line) => line.includes(`"reqId":"${String(requestId)}"`))).toBe(true)
  })
})

describe('domain data on errors', () => {
  it('CONFLICT for a turn in progress carries the live answer’s messageId', async () => {
    const client = ts.client('sse', await ts.token())
    const first = await client.chat.send.mutate({
      clientMessageId: randomUUID(),
      content: 'hello',
      model: 'fake/stall:after=1',
    })
    const error = await client.chat.send
      .mutate({
        conversationId: first.assistantMessage.conversationId,
        clientMessageId: randomUUID(),
        content: 'again',
      })
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(error).toBeInstanceOf(TRPCClientError)
    const data = errorData(error)
    expect(data?.code).toBe('CONFLICT')
    expect(data?.messageId).toBe(first.assistantMessage.id)
    await client.chat.stop.mutate({ messageId: first.assistantMessage.id })
  })
})

describe('what the log keeps of a failed query', () => {
  it('no message text, prompt or statement parameter in any line below trace', async () => {
    const client = ts.client('sse', await ts.token())
    const secret = `SECRET-${randomUUID()}`
    const conversation = await client.conversation.create.mutate({ title: 'Logs' })
    await sql`alter table messages add constraint no_secret check (content not like '%SECRET-%')`.execute(
      ts.db,
    )
    const before = ts.logs.length
    try {
      const error = await client.chat.send
        .mutate({
          conversationId: conversation.id,
          clientMessageId: randomUUID(),
          content: `${secret} is my password`,
          systemPrompt: `${secret} in the prompt`,
        })
        .then(
          () => null,
          (e: unknown) => e,
        )
      expect(errorData(error)?.code).toBe('INTERNAL_SERVER_ERROR')
    } finally {
      await sql`alter table messages drop constraint no_secret`.execute(ts.db)
    }
    const lines = ts.logs.slice(before).join('')
    expect(lines).toMatch(/no_secret/) // the failure is logged…
    expect(lines).not.toContain(secret) // …without what the user wrote
  })
})
