import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ChatEventSchema,
  ConversationSchema,
  MessagePageSchema,
  SendResultSchema,
  UserSchema,
} from '@t3chat/api'
import { eventually } from './support/recording'
import { startTestServer, type TestServer } from './support/test-server'

// Another language's client: nothing but fetch and the document the server publishes.

interface Operation {
  operationId: string
  security: Array<Record<string, string[]>>
  parameters?: Array<{ name: string; in: string }>
  requestBody?: unknown
  responses: Record<string, unknown>
}
interface OpenApi {
  openapi: string
  paths: Record<string, Partial<Record<'get' | 'post', Operation>>>
}

let ts: TestServer
let doc: OpenApi
beforeAll(async () => {
  ts = await startTestServer()
  const response = await fetch(`${ts.url}/openapi.json`)
  expect(response.headers.get('content-type')).toBe('application/json')
  doc = (await response.json()) as OpenApi
})
afterAll(async () => {
  await ts.close()
})

/** Calls an operation the way the document describes it; returns the status and the body. */
async function call(operationId: string, input: unknown, token: string | null) {
  const found = Object.entries(doc.paths).flatMap(([path, item]) =>
    (['get', 'post'] as const).flatMap((method) =>
      item[method]?.operationId === operationId ? [{ path, method, op: item[method] }] : [],
    ),
  )[0]
  if (found?.op === undefined) throw new Error(`no operation ${operationId} in the document`)
  const { path, method, op } = found
  const headers: Record<string, string> = {}
  if (op.security.some((s) => 'bearer' in s) && token !== null)
    headers.authorization = `Bearer ${token}`
  let url = `${ts.url}${path}`
  let body: string | undefined
  if (method === 'get') {
    const param = op.parameters?.find((p) => p.in === 'query')
    if (input !== undefined && param !== undefined)
      url += `?${param.name}=${encodeURIComponent(JSON.stringify(input))}`
  } else {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(input ?? {})
  }
  const response = await fetch(url, { method: method.toUpperCase(), headers, body })
  expect(Object.keys(op.responses), `${operationId} ${response.status}`).toContain(
    String(response.status),
  )
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** `result.data` of a successful call. */
function dataOf(answer: { status: number; body: Record<string, unknown> }): unknown {
  expect(answer.status).toBe(200)
  return (answer.body.result as { data: unknown }).data
}

describe('GET /openapi.json', () => {
  it('is OpenAPI 3.1 for every query and mutation, the same as docs/openapi.json', async () => {
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/user.me', '/conversation.create', '/message.list', '/chat.send']),
    )
    expect(Object.keys(doc.paths)).not.toContain('/chat.stream')
    const committed = await readFile(
      resolve(import.meta.dirname, '../../../docs/openapi.json'),
      'utf8',
    )
    expect(doc).toEqual(JSON.parse(committed))
  })

  it('a plain fetch client following it calls user.me, conversation.create, chat.send and message.list', async () => {
    const sub = randomUUID()
    const token = await ts.token(sub)

    const me = UserSchema.parse(dataOf(await call('userMe', undefined, token)))
    expect(me.id).toBe(sub)

    const conversation = ConversationSchema.parse(
      dataOf(await call('conversationCreate', { title: 'From fetch' }, token)),
    )
    expect(conversation).toMatchObject({ title: 'From fetch', messageCount: 0 })

    const sent = SendResultSchema.parse(
      dataOf(
        await call(
          'chatSend',
          {
            conversationId: conversation.id,
            clientMessageId: randomUUID(),
            content: 'hello there',
          },
          token,
        ),
      ),
    )
    // Waits on the answer's stored status, as a client without subscriptions would.
    const page = await eventually(async () => {
      const listed = MessagePageSchema.parse(
        dataOf(await call('messageList', { conversationId: conversation.id }, token)),
      )
      return listed.items.at(-1)?.status === 'completed' ? listed : undefined
    })
    expect(page.items.map((m) => [m.id, m.role, m.content])).toEqual([
      [sent.userMessage.id, 'user', 'hello there'],
      [sent.assistantMessage.id, 'assistant', 'hello there'],
    ])
    expect(page.nextBefore).toBeNull()
  })

  it('errors come as the documented envelope with the documented status, without a stack', async () => {
    const token = await ts.token()
    const missing = await call('messageList', { conversationId: randomUUID() }, token)
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual({
      error: {
        message: 'Conversation not found',
        code: expect.any(Number),
        data: { code: 'NOT_FOUND', httpStatus: 404, path: 'message.list' },
      },
    })

    const anonymous = await call('userMe', undefined, null)
    expect(anonymous.status).toBe(401)
    expect(JSON.stringify(anonymous.body)).not.toMatch(/stack|at \//)

    const invalid = await call('conversationCreate', { title: 7 }, token)
    expect(invalid.status).toBe(400)
    expect((invalid.body.error as { message: string }).message).toMatch(/^title: /)
  })
})

describe('subscriptions as the reference describes them (docs/api.md, Transport)', () => {
  it('chat.stream over plain SSE: connected, tracked events that match the schema, return', async () => {
    const token = await ts.token()
    const sent = SendResultSchema.parse(
      dataOf(await call('chatSend', { clientMessageId: randomUUID(), content: 'one two' }, token)),
    )
    const input = encodeURIComponent(JSON.stringify({ messageId: sent.assistantMessage.id }))
    const response = await fetch(`${ts.url}/chat.stream?input=${input}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    })
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    // The stream ends after `return`, so the whole body can be read at once.
    const frames = (await response.text())
      .split('\n\n')
      .filter((frame) => frame.trim() !== '')
      .map((frame) => {
        const fields = new Map<string, string>()
        for (const line of frame.split('\n')) {
          const colon = line.indexOf(':')
          fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart())
        }
        return fields
      })
    expect(frames[0]?.get('event')).toBe('connected')
    expect(frames.at(-1)?.get('event')).toBe('return')
    const events = frames
      .filter((f) => !f.has('event'))
      .map((f) => ({
        id: f.get('id'),
        data: ChatEventSchema.parse(JSON.parse(f.get('data') ?? '')),
      }))
    const final = events.at(-1)
    expect(final?.data).toMatchObject({ type: 'final', message: { content: 'one two' } })
    expect(final?.id).toBe(String('one two'.length))
  })
})
