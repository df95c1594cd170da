import { randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killChildren } from './support/child-server'
import { prepareSpawned } from './support/spawned'
import { startTestServer, type TestServer } from './support/test-server'
import { rejectionCode } from './support/wire'

// What the HTTP layer adds around the router: the request body limit, CORS, content types,
// batch sizes and request timeouts.

const BODY_LIMIT = 4_096
const ALLOWED = 'https://app.example'
const MAX_BATCH = 50

/** How many conversations `token`'s user has. */
async function conversationCount(token: string): Promise<number> {
  const client = ts.client('sse', token)
  return (await client.conversation.list.query({ limit: 100 })).items.length
}

let ts: TestServer
beforeAll(async () => {
  ts = await startTestServer({
    BODY_LIMIT_BYTES: String(BODY_LIMIT),
    CORS_ORIGINS: ALLOWED,
    MAX_BATCH_CALLS: String(MAX_BATCH),
    HTTP_HEADERS_TIMEOUT_MS: '1000',
    HTTP_REQUEST_TIMEOUT_MS: '2000',
  })
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

describe('content types', () => {
  for (const [type, body] of [
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nHi\r\n--x--\r\n',
    ],
    ['application/octet-stream', 'abc'],
    ['text/plain', '{"title":"Hi"}'],
  ] as const) {
    it(`${type.split(';')[0] ?? type} → UNSUPPORTED_MEDIA_TYPE (415), nothing created`, async () => {
      const token = await ts.token()
      const response = await fetch(`${ts.url}/conversation.create`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        body,
      })
      expect(response.status).toBe(415)
      const json = (await response.json()) as { error?: { data?: { code?: string } } }
      expect(json.error?.data?.code).toBe('UNSUPPORTED_MEDIA_TYPE')
      expect(await conversationCount(token)).toBe(0)
    })
  }
})

describe('batches', () => {
  it(`a GET batch of more than ${MAX_BATCH} calls is BAD_REQUEST`, async () => {
    const token = await ts.token()
    const paths = Array.from({ length: MAX_BATCH + 1 }, () => 'health').join(',')
    const response = await fetch(`${ts.url}/${paths}?batch=1&input={}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(400)
    const ok = await fetch(
      `${ts.url}/${Array.from({ length: MAX_BATCH }, () => 'health').join(',')}?batch=1&input={}`,
    )
    expect(ok.status).toBe(200)
  })

  it(`a POST batch of more than ${MAX_BATCH} conversation.create is refused whole`, async () => {
    const token = await ts.token()
    const count = MAX_BATCH + 1
    const input = Object.fromEntries(Array.from({ length: count }, (_, i) => [i, {}]))
    const response = await fetch(
      `${ts.url}/${Array.from({ length: count }, () => 'conversation.create').join(',')}?batch=1`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      },
    )
    expect(response.status).toBe(400)
    expect(await conversationCount(token)).toBe(0)
  })
})

describe('request timeouts', () => {
  it('a body that trickles in is cut after HTTP_REQUEST_TIMEOUT_MS', async () => {
    const { port } = new URL(ts.url)
    const socket = connect(Number(port), '127.0.0.1').on('error', () => undefined)
    await new Promise<void>((resolve) => socket.once('connect', resolve))
    socket.write(
      'POST /conversation.create HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{',
    )
    const trickle = setInterval(() => socket.write(' '), 200)
    const started = Date.now()
    await new Promise<void>((resolve) => socket.once('close', () => resolve()))
    clearInterval(trickle)
    // Open for 80+ s before; now closed once the 2 s request timeout is checked.
    expect(Date.now() - started).toBeLessThan(8_000)
  })

  it('headers that never finish are cut after HTTP_HEADERS_TIMEOUT_MS (the server as `pnpm start` runs it)', async () => {
    // In its own process: vitest's worker does not run Node's header-timeout check.
    const setup = await prepareSpawned()
    try {
      const server = await setup.start({ HTTP_HEADERS_TIMEOUT_MS: '1000' })
      const socket = connect(server.port, '127.0.0.1').on('error', () => undefined)
      await new Promise<void>((resolve) => socket.once('connect', resolve))
      socket.write('GET /health HTTP/1.1\r\nhost: x\r\n')
      let reply = ''
      socket.on('data', (chunk: Buffer) => (reply += chunk.toString()))
      await new Promise<void>((resolve) => socket.once('close', () => resolve()))
      expect(reply).toMatch(/^HTTP\/1.1 408/)
    } finally {
      await killChildren()
      await setup.close()
    }
  }, 120_000)
})
