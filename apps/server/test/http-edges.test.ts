import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from './support/test-server'
import { rejectionCode } from './support/wire'

// What the HTTP layer adds around the router: the request body limit and CORS.

const BODY_LIMIT = 4_096
const ALLOWED = 'https://app.example'

let ts: TestServer
beforeAll(async () => {
  ts = await startTestServer({ BODY_LIMIT_BYTES: String(BODY_LIMIT), CORS_ORIGINS: ALLOWED })
})
afterAll(async () => {
  await ts.close()
})

describe('body limit', () => {
  it('a request body over BODY_LIMIT_BYTES is PAYLOAD_TOO_LARGE (413) and stores nothing', async () => {
    const token = await ts.token()
    const client = ts.client('sse', token)
    await client.user.me.query()
    const conversation = await client.conversation.create.mutate({ title: 'Limits' })

    // Under the field limit (100,000 chars), over the body limit.
    const content = 'x'.repeat(BODY_LIMIT * 2)
    const code = await rejectionCode(
      client.chat.send.mutate({
        conversationId: conversation.id,
        clientMessageId: randomUUID(),
        content,
        model: 'fake/echo',
      }),
    )
    expect(code).toBe('PAYLOAD_TOO_LARGE')

    const raw = await fetch(`${ts.url}/chat.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        conversationId: conversation.id,
        clientMessageId: randomUUID(),
        content,
      }),
    })
    expect(raw.status).toBe(413)
    const body = (await raw.json()) as { error?: { data?: { code?: string } } }
    expect(body.error?.data?.code).toBe('PAYLOAD_TOO_LARGE')

    const stored = await ts.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('conversationId', '=', conversation.id)
      .executeTakeFirstOrThrow()
    expect(Number(stored.n)).toBe(0)
  })

  it('a body just under the limit is accepted', async () => {
    const client = ts.client('sse', await ts.token())
    const title = 'y'.repeat(200)
    const created = await client.conversation.create.mutate({
      title,
      systemPrompt: 'z'.repeat(3_000),
    })
    expect(created.title).toBe(title)
  })
})

describe('CORS', () => {
  it('an allowed origin gets a 204 preflight and the headers on the response', async () => {
    const preflight = await fetch(`${ts.url}/user.me`, {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization')
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')

    const response = await fetch(`${ts.url}/health`, { headers: { origin: ALLOWED } })
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED)
  })

  it('regression: tRPC replaced `Vary: Origin` with its own Vary on CORS responses', async () => {
    const response = await fetch(`${ts.url}/health`, { headers: { origin: ALLOWED } })
    const vary = (response.headers.get('vary') ?? '').split(',').map((v) => v.trim())
    expect(vary).toContain('Origin')
    expect(vary).toContain('trpc-accept')
  })

  it('another origin gets no CORS headers and no 204 preflight', async () => {
    const other = 'https://evil.example'
    const preflight = await fetch(`${ts.url}/user.me`, {
      method: 'OPTIONS',
      headers: { origin: other, 'access-control-request-method': 'GET' },
    })
    expect(preflight.status).not.toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()

    const response = await fetch(`${ts.url}/health`, { headers: { origin: other } })
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })
})
