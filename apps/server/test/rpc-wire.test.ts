/**
 * The lean query/mutation responder (src/rpc.ts) against tRPC's own HTTP adapter: the same
 * router served both ways must answer the same status, headers and JSON (tRPC streams its body
 * chunked, the lean one sends a content-length: framing is left out of the comparison), and
 * the official `httpBatchLink` / `httpLink` clients must read it as they read tRPC.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http'
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from '@trpc/client'
import { initTRPC, TRPCError } from '@trpc/server'
import { createHTTPHandler } from '@trpc/server/adapters/standalone'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createRpcResponder } from '../src/rpc'
import { listen, rawResponse } from './support/raw-http'
import { startTestServer } from './support/test-server'

interface Ctx {
  user: string | null
}

function testRouter() {
  const t = initTRPC.context<Ctx>().create({
    isDev: false,
    errorFormatter: ({ shape, ctx, error }) => ({
      ...shape,
      message: error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal error' : shape.message,
      data: { ...shape.data, who: ctx?.user ?? null },
    }),
  })
  const authed = t.procedure.use(({ ctx, next }) => {
    if (ctx.user === null) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'who are you?' })
    return next({ ctx: { user: ctx.user } })
  })
  let counter = 0
  return t.router({
    hello: t.procedure.query(() => 'hi'),
    echo: t.procedure
      .input(z.object({ text: z.string().max(5), n: z.number().int().optional() }))
      .query(({ input }) => ({ said: input.text, n: input.n ?? null, accents: 'é"\n' })),
    whoami: authed.query(({ ctx }) => ctx.user),
    crashes: t.procedure.query(() => {
      throw new Error('a secret internal detail')
    }),
    missing: t.procedure.query(() => {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'conversation not found' })
    }),
    nothing: t.procedure.query(() => undefined),
    bump: authed
      .input(z.object({ by: z.number().int() }).optional())
      .mutation(({ input }) => (counter += input?.by ?? 1)),
    conflict: t.procedure.mutation(() => {
      throw new TRPCError({ code: 'CONFLICT', message: 'busy' })
    }),
  })
}

type TestRouter = ReturnType<typeof testRouter>

const context = (req: IncomingMessage): Ctx => ({
  user: req.headers.authorization?.replace(/^Bearer /, '') ?? null,
})

function serve(router: TestRouter, lean: boolean): Server {
  const trpc = createHTTPHandler({
    router,
    maxBodySize: 1_000,
    maxBatchSize: 3,
    responseMeta: () => ({ headers: new Headers({ vary: 'Origin' }) }),
    createContext: ({ req }) => context(req),
  })
  const rpc = createRpcResponder({
    router,
    createContext: context,
    fallback: trpc,
    maxBodySize: 1_000,
    maxBatchSize: 3,
    headers: { vary: 'Origin' },
  })
  return createServer((req, res) => {
    if (lean && rpc(req, res)) return
    trpc(req, res)
  })
}

const FRAMING = new Set(['date', 'transfer-encoding', 'content-length', 'connection', 'keep-alive'])

/** The response: status, headers as sent (minus date and body framing), body. */
const raw = (
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
) => rawResponse(url, { ...init, omit: FRAMING })

let tRPCUrl: string
let leanUrl: string
const servers: Server[] = []

beforeAll(async () => {
  // A router each: their counters then move alike.
  servers.push(serve(testRouter(), false), serve(testRouter(), true))
  tRPCUrl = await listen(servers[0] as Server)
  leanUrl = await listen(servers[1] as Server)
})
afterAll(() => {
  for (const server of servers) server.closeAllConnections()
  for (const server of servers) server.close()
})

const q = (value: unknown) => `input=${encodeURIComponent(JSON.stringify(value))}`
const json = { 'content-type': 'application/json' }
const ann = { authorization: 'Bearer ann' }

describe('lean query/mutation responder: what tRPC answers', () => {
  const cases: Array<[string, string, Parameters<typeof raw>[1]?]> = [
    ['a query', '/hello'],
    ['a batch of one', `/hello?batch=1&${q({})}`],
    [
      'a batch of queries with inputs',
      `/echo,hello,echo?batch=1&${q({ 0: { text: 'a' }, 2: { text: 'b', n: 2 } })}`,
    ],
    ['a query with input', `/echo?${q({ text: 'x' })}`],
    ['validation fails', `/echo?${q({ text: 'too long' })}`],
    [
      'one of a batch fails (207)',
      `/echo,echo?batch=1&${q({ 0: { text: 'ok' }, 1: { text: 'too long' } })}`,
    ],
    ['all of a batch fail alike', `/missing,missing?batch=1`],
    ['refused by a middleware', '/whoami'],
    ['a header token', '/whoami', { headers: ann }],
    ['an internal error (formatted, no detail)', '/crashes'],
    ['undefined output', '/nothing?batch=1'],
    [
      'a mutation',
      '/bump',
      { method: 'POST', body: JSON.stringify({ by: 0 }), headers: { ...json, ...ann } },
    ],
    [
      'a batch of mutations',
      '/bump,conflict?batch=1',
      { method: 'POST', body: JSON.stringify({ 0: { by: 0 } }), headers: { ...json, ...ann } },
    ],
    [
      'a mutation without input',
      '/bump?batch=1',
      { method: 'POST', body: '{}', headers: { ...json, ...ann } },
    ],
    [
      'an empty body',
      '/bump',
      { method: 'POST', body: '', headers: { ...json, ...ann, 'content-length': '0' } },
    ],
    ['a mutation refused', '/bump', { method: 'POST', body: '{}', headers: json }],
    // What the lean responder hands to tRPC:
    ['an unknown procedure', '/nope'],
    ['a query by POST', '/hello', { method: 'POST', body: '{}', headers: json }],
    ['a mutation by GET', '/bump'],
    ['a batch over maxBatchSize', '/hello,hello,hello,hello?batch=1'],
    ['input that is not JSON', '/echo?input=%7Bnope'],
    ['a batch input that is not an object', `/echo?batch=1&${q([{ text: 'a' }])}`],
    [
      'a body that is not JSON',
      '/bump',
      { method: 'POST', body: '{nope', headers: { ...json, ...ann } },
    ],
    [
      'a batch body that is not an object',
      '/bump?batch=1',
      { method: 'POST', body: '[1]', headers: { ...json, ...ann } },
    ],
    [
      'a body over maxBodySize',
      '/bump',
      {
        method: 'POST',
        body: JSON.stringify({ by: 1, pad: 'x'.repeat(1_200) }),
        headers: { ...json, ...ann },
      },
    ],
    ['a streaming batch', `/hello?batch=1`, { headers: { 'trpc-accept': 'application/jsonl' } }],
    ['HEAD', '/hello', { method: 'HEAD' }],
  ]
  for (const [name, path, init] of cases)
    it(name, async () => {
      const expected = await raw(`${tRPCUrl}${path}`, init)
      expect(await raw(`${leanUrl}${path}`, init)).toBe(expected)
    })

  it('answers the plain calls itself: a content-length, not tRPC’s chunked body', async () => {
    const framing = (url: string) =>
      new Promise<Record<string, string | undefined>>((resolve, reject) => {
        request(`${url}/hello?batch=1`, (res) => {
          res.resume()
          resolve({
            length: res.headers['content-length'],
            chunked: res.headers['transfer-encoding'],
          })
        })
          .on('error', reject)
          .end()
      })
    expect(await framing(leanUrl)).toEqual({ length: '26', chunked: undefined })
    expect(await framing(tRPCUrl)).toEqual({ length: undefined, chunked: 'chunked' })
  })
})

describe('lean query/mutation responder: the official clients', () => {
  for (const [name, link] of [
    ['httpBatchLink', httpBatchLink],
    ['httpLink', httpLink],
  ] as const)
    it(`${name} reads results and typed errors`, async () => {
      const client = createTRPCClient<TestRouter>({
        links: [link({ url: leanUrl, headers: ann })],
      })
      const [said, hi, who] = await Promise.all([
        client.echo.query({ text: 'hey', n: 1 }),
        client.hello.query(),
        client.whoami.query(),
      ])
      expect(said).toEqual({ said: 'hey', n: 1, accents: 'é"\n' })
      expect(hi).toBe('hi')
      expect(who).toBe('ann')
      const before = await client.bump.mutate({ by: 0 })
      expect(await client.bump.mutate({ by: 2 })).toBe(before + 2)
      const failed = await client.missing.query().catch((error: unknown) => error)
      expect(failed).toBeInstanceOf(TRPCClientError)
      expect((failed as TRPCClientError<TestRouter>).data).toMatchObject({
        code: 'NOT_FOUND',
        httpStatus: 404,
        who: 'ann',
      })
    })
})

describe('the server answers queries and mutations with the lean responder (RPC_LEAN=0: tRPC’s adapter)', () => {
  for (const lean of ['1', '0'])
    it(`RPC_LEAN=${lean}`, async () => {
      const ts = await startTestServer({ RPC_LEAN: lean })
      try {
        const refused = await raw(`${ts.url}/user.me?batch=1`)
        expect(refused.startsWith('401\n')).toBe(true)
        expect(refused).toContain('"code":"UNAUTHORIZED"')
        const framing = await new Promise<string | undefined>((resolve, reject) => {
          request(`${ts.url}/user.me?batch=1`, (res) => {
            res.resume()
            resolve(res.headers['transfer-encoding'])
          })
            .on('error', reject)
            .end()
        })
        expect(framing).toBe(lean === '1' ? undefined : 'chunked')
      } finally {
        await ts.close()
      }
    }, 60_000)
})
