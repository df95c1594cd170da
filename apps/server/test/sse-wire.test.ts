/**
 * The lean SSE responder (src/sse.ts) against tRPC's own HTTP adapter: the same router served
 * both ways must put the same bytes on the wire (status, headers, events), and the official
 * `httpSubscriptionLink` client (over the `eventsource` package) must read it as it reads tRPC.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { createTRPCClient, httpSubscriptionLink, TRPCClientError } from '@trpc/client'
import { initTRPC, tracked, TRPCError } from '@trpc/server'
import { createHTTPHandler } from '@trpc/server/adapters/standalone'
import { EventSource } from 'eventsource'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createSseResponder } from '../src/sse'
import { listen, rawResponse } from './support/raw-http'
import { startTestServer } from './support/test-server'

interface Ctx {
  user: string | null
}

function testRouter(pingMs: number) {
  const t = initTRPC.context<Ctx>().create({
    isDev: false,
    errorFormatter: ({ shape, ctx }) => ({
      ...shape,
      data: { ...shape.data, who: ctx?.user ?? null },
    }),
    sse: {
      ping: { enabled: true, intervalMs: pingMs },
      client: { reconnectAfterInactivityMs: pingMs * 4 },
    },
  })
  const authed = t.procedure.use(({ ctx, next }) => {
    if (ctx.user === null) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'who are you?' })
    return next({ ctx: { user: ctx.user } })
  })
  return t.router({
    numbers: t.procedure
      .input(z.object({ from: z.number(), lastEventId: z.string().nullish() }))
      .subscription(async function* ({ input }) {
        await Promise.resolve()
        const start = input.lastEventId ? Number(input.lastEventId) + 1 : input.from
        for (let i = start; i < start + 3; i++) yield tracked(String(i), { n: i, text: 'é\n"x"' })
      }),
    mixed: t.procedure.subscription(async function* () {
      await Promise.resolve()
      yield tracked('a', 1)
      yield 2
      yield tracked('b', 3)
    }),
    plain: t.procedure.subscription(async function* () {
      await Promise.resolve()
      yield 'one'
      yield { two: [2] }
    }),
    failsLater: t.procedure.subscription(async function* () {
      await Promise.resolve()
      yield tracked('1', 'before')
      throw new TRPCError({ code: 'NOT_FOUND', message: 'gone' })
    }),
    crashes: t.procedure.subscription(async function* () {
      await Promise.resolve()
      yield 'x'
      throw new Error('a secret internal detail')
    }),
    whoami: authed.subscription(async function* ({ ctx }) {
      await Promise.resolve()
      yield ctx.user
    }),
    slow: t.procedure.subscription(async function* ({ signal }) {
      await Promise.resolve()
      yield 'start'
      await new Promise((resolve) => setTimeout(resolve, pingMs * 3.5))
      if (!signal?.aborted) yield 'end'
    }),
    hello: t.procedure.query(() => 'hi'),
  })
}

type TestRouter = ReturnType<typeof testRouter>

const context = (req: IncomingMessage, params: Record<string, string> | null): Ctx => ({
  user:
    req.headers.authorization?.replace(/^Bearer /, '') ??
    (typeof params?.token === 'string' ? params.token : null),
})

function serve(router: TestRouter, lean: boolean): Server {
  const trpc = createHTTPHandler({
    router,
    responseMeta: () => ({ headers: new Headers({ vary: 'Origin' }) }),
    createContext: ({ req, info }) =>
      context(req, (info.connectionParams ?? null) as Record<string, string> | null),
  })
  const sse = createSseResponder({
    router,
    createContext: context,
    headers: { vary: 'Origin' },
    retryMs: null,
  })
  return createServer((req, res) => {
    if (lean && sse(req, res)) return
    trpc(req, res)
  })
}

/** The raw response: status line, headers as sent (minus the date), body. */
const raw = (url: string, headers: Record<string, string> = {}) =>
  rawResponse(url, { headers: { accept: 'text/event-stream', ...headers }, omit: DATE })
const DATE = new Set(['date'])

const PING_MS = 100
let tRPCUrl: string
let leanUrl: string
const servers: Server[] = []

beforeAll(async () => {
  const router = testRouter(PING_MS)
  servers.push(serve(router, false), serve(router, true))
  tRPCUrl = await listen(servers[0] as Server)
  leanUrl = await listen(servers[1] as Server)
})
afterAll(() => {
  for (const server of servers) server.closeAllConnections()
  for (const server of servers) server.close()
})

const input = (value: unknown) => `input=${encodeURIComponent(JSON.stringify(value))}`

describe('lean SSE responder: the bytes tRPC sends', () => {
  const cases: Array<[string, string, Record<string, string>?]> = [
    ['tracked events', `/numbers?${input({ from: 5 })}`],
    [
      'Last-Event-ID header joins the input',
      `/numbers?${input({ from: 5 })}`,
      { 'last-event-id': '10' },
    ],
    ['lastEventId query parameter', `/numbers?${input({ from: 1 })}&lastEventId=3`],
    ['untracked after tracked (restore-id)', '/mixed'],
    ['untracked events', '/plain'],
    ['an error after an event', '/failsLater'],
    ['an internal error (formatted, no detail)', '/crashes'],
    ['refused before the first event', '/whoami'],
    ['a header token', '/whoami', { authorization: 'Bearer ann' }],
    [
      'connection params',
      `/whoami?connectionParams=${encodeURIComponent(JSON.stringify({ token: 'bob' }))}`,
    ],
    ['input that fails validation', `/numbers?${input({ from: 'x' })}`],
  ]
  for (const [name, path, headers] of cases)
    it(name, async () => {
      const expected = await raw(`${tRPCUrl}${path}`, headers)
      expect(await raw(`${leanUrl}${path}`, headers)).toBe(expected)
      expect(expected).toContain('text/event-stream')
    })

  it('leaves what it does not answer to tRPC (queries, batches, bad JSON, unknown paths)', async () => {
    for (const path of [
      '/hello',
      `/numbers?batch=1&${input({ 0: { from: 1 } })}`,
      '/numbers?input=%7Bnot-json',
      '/nope',
    ])
      expect(await raw(`${leanUrl}${path}`)).toBe(await raw(`${tRPCUrl}${path}`))
  })

  it('pings an idle stream, as tRPC does', async () => {
    const body = await raw(`${leanUrl}/slow`)
    const events = body.split('\n\n\n').filter((e) => e.includes('event: ') || e.includes('data: '))
    const tail = events.map((e) =>
      e.slice(e.indexOf('event: ') >= 0 ? e.indexOf('event: ') : e.indexOf('data: ')),
    )
    expect(tail[0]).toBe('event: connected\ndata: {"reconnectAfterInactivityMs":400}')
    expect(tail[1]).toBe('data: "start"')
    expect(tail.filter((e) => e === 'event: ping\ndata: ').length).toBeGreaterThanOrEqual(2)
    expect(tail.at(-2)).toBe('data: "end"')
    expect(tail.at(-1)).toBe('event: return\ndata: ')
  })

  it('sends retry: 1000 first by default (EventSource reconnects after it, not ~3 s)', async () => {
    const router = testRouter(PING_MS)
    const sse = createSseResponder({ router, createContext: context })
    const server = createServer((req, res) => void sse(req, res))
    servers.push(server)
    const url = await listen(server)
    const body = (await raw(`${url}/plain`)).split('\n\n').slice(1).join('\n\n')
    expect(body.startsWith('retry: 1000\nevent: connected\n')).toBe(true)
  })
})

describe('lean SSE responder: the official httpSubscriptionLink client', () => {
  function client(url: string, token?: string) {
    return createTRPCClient<TestRouter>({
      links: [
        httpSubscriptionLink({
          url,
          EventSource,
          ...(token !== undefined ? { connectionParams: () => ({ token }) } : {}),
        }),
      ],
    })
  }

  function collect<T>(
    subscribe: (o: {
      onData: (value: T) => void
      onError: (error: unknown) => void
      onComplete: () => void
    }) => { unsubscribe(): void },
    count: number,
  ): Promise<{ values: T[]; error: unknown }> {
    return new Promise((resolve) => {
      const values: T[] = []
      const sub = subscribe({
        onData(value) {
          values.push(value)
          if (values.length === count) {
            sub.unsubscribe()
            resolve({ values, error: null })
          }
        },
        onError(error) {
          sub.unsubscribe()
          resolve({ values, error })
        },
        onComplete: () => resolve({ values, error: null }),
      })
    })
  }

  it('reads tracked events with their ids, like tRPC’s', async () => {
    for (const url of [tRPCUrl, leanUrl]) {
      const got = await collect<{ id: string; data: { n: number } }>(
        (o) => client(url).numbers.subscribe({ from: 7 }, o),
        3,
      )
      expect(got.error).toBeNull()
      expect(got.values.map((v) => [v.id, v.data.n])).toEqual([
        ['7', 7],
        ['8', 8],
        ['9', 9],
      ])
    }
  })

  it('gets a typed error before and after events, with the formatter’s data', async () => {
    const before = await collect((o) => client(leanUrl).whoami.subscribe(undefined, o), 1)
    expect(before.error).toBeInstanceOf(TRPCClientError)
    expect((before.error as TRPCClientError<TestRouter>).data?.code).toBe('UNAUTHORIZED')
    const later = await collect((o) => client(leanUrl).failsLater.subscribe(undefined, o), 2)
    expect(later.values).toHaveLength(1)
    expect((later.error as TRPCClientError<TestRouter>).data?.code).toBe('NOT_FOUND')
    const authed = await collect((o) => client(leanUrl, 'cy').whoami.subscribe(undefined, o), 1)
    expect(authed.values).toEqual(['cy'])
  })
})

describe('the server answers SSE with the lean responder (SSE_LEAN=0: tRPC’s adapter)', () => {
  for (const lean of ['1', '0'])
    it(`SSE_LEAN=${lean}`, async () => {
      const ts = await startTestServer({ SSE_LEAN: lean })
      try {
        const messageId = '00000000-0000-4000-8000-000000000000'
        const path = `/chat.stream?${input({ messageId })}`
        const refused = await raw(`${ts.url}${path}`)
        expect(
          refused.startsWith('retry: 1000\nevent: connected', refused.indexOf('\n\n') + 2),
        ).toBe(lean === '1')
        expect(refused).toContain('event: serialized-error')
        expect(refused).toContain('"code":"UNAUTHORIZED"')
      } finally {
        await ts.close()
      }
    }, 60_000)
})
