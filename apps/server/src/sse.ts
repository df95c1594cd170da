import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AnyTRPCProcedure, AnyTRPCRouter } from '@trpc/server'
import {
  getErrorShape,
  getTRPCErrorFromUnknown,
  isAbortError,
  isAsyncIterable,
  isTrackedEnvelope,
  parseConnectionParamsFromString,
  sseHeaders,
} from '@trpc/server/unstable-core-do-not-import'
import { safeDecode } from './http'

/**
 * tRPC v11's SSE subscriptions (`httpSubscriptionLink`), answered straight on the Node response.
 *
 * tRPC's own HTTP adapter turns every subscription into a fetch `Request`, a chain of async
 * generators, three web streams and one `res.write` per SSE field; opening one cost ~3× a
 * WebSocket subscription and every event ~1.6× (bench/BENCHMARKS.md). This writes the same
 * bytes — the same events (`connected`, data with `id`s, `restore-id`, `ping`, `return`,
 * `serialized-error`), in the same order and framing — with one write per event and one
 * timer per subscription. A `retry:` field (which tRPC never sends) tells EventSource clients to
 * reconnect after `retryMs` instead of its default ~3 s.
 *
 * Only plain GET subscription calls are taken; anything else (batches, bad input JSON or
 * connection params, other procedures and methods) goes to tRPC, which answers as it always did.
 */
export function createSseResponder<TContext extends object>(opts: {
  router: AnyTRPCRouter
  createContext: (req: IncomingMessage, connectionParams: Record<string, string> | null) => TContext
  /** Headers added to every SSE response (tRPC's `responseMeta` headers are appended the same way). */
  headers?: Readonly<Record<string, string>>
  /** Sent as `retry:` first: a dropped stream is reopened after this long (EventSource's default is ~3 s). Default 1000; null: none. */
  retryMs?: number | null
}) {
  const config = opts.router._def._config
  const procedures = opts.router._def.procedures as Record<string, AnyTRPCProcedure | undefined>
  const sse = config.sse ?? {}
  const pingMs = sse.ping?.enabled === true ? (sse.ping.intervalMs ?? 1_000) : 0
  const connected = `event: connected\ndata: ${JSON.stringify(sse.client ?? {})}\n\n\n`
  const retryMs = opts.retryMs === undefined ? 1_000 : opts.retryMs
  // In the `connected` event's own block: a block of its own would look like an empty event to
  // clients that read the stream by hand.
  const preamble = `${retryMs !== null ? `retry: ${retryMs}\n` : ''}${connected}`
  // As tRPC's adapter writes them (a fetch `Headers` walked in order): lower-case names, sorted,
  // extra values joined to tRPC's `vary` in one line.
  const headers = new Map<string, string>([['vary', 'trpc-accept, accept']])
  for (const [key, value] of Object.entries(sseHeaders)) headers.set(key.toLowerCase(), value)
  for (const [key, value] of Object.entries(opts.headers ?? {})) {
    const before = headers.get(key.toLowerCase())
    headers.set(key.toLowerCase(), before === undefined ? value : `${before}, ${value}`)
  }
  const sortedHeaders = new Map([...headers].sort(([a], [b]) => (a < b ? -1 : 1)))
  const serialize = (value: unknown): string =>
    JSON.stringify(config.transformer.output.serialize(value))

  return function respond(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' || req.url === undefined) return false
    const query = req.url.indexOf('?')
    const path = safeDecode(query < 0 ? req.url.slice(1) : req.url.slice(1, query))
    if (path === null) return false
    const procedure = procedures[path]
    if (procedure === undefined || procedure._def.type !== 'subscription') return false
    const params = new URLSearchParams(query < 0 ? '' : req.url.slice(query + 1))
    if (params.has('batch')) return false
    let input: unknown
    let connectionParams: Record<string, string> | null = null
    try {
      const raw = params.get('input')
      input = raw ? config.transformer.input.deserialize(JSON.parse(raw)) : undefined
      const rawParams = params.get('connectionParams')
      if (rawParams !== null)
        connectionParams = parseConnectionParamsFromString(rawParams) as Record<string, string>
    } catch {
      return false
    }
    const header = req.headers['last-event-id']
    const lastEventId =
      (typeof header === 'string' ? header : null) ??
      params.get('lastEventId') ??
      params.get('Last-Event-Id')
    void serve({ req, res, path, procedure, input, connectionParams, lastEventId })
    return true
  }

  async function serve(call: {
    req: IncomingMessage
    res: ServerResponse
    path: string
    procedure: AnyTRPCProcedure
    input: unknown
    connectionParams: Record<string, string> | null
    lastEventId: string | null
  }): Promise<void> {
    const { req, res, path, procedure, input } = call
    const abort = new AbortController()
    const onClose = () => abort.abort()
    res.once('close', onClose)
    req.once('aborted', onClose)
    res.statusCode = 200
    res.setHeaders(sortedHeaders)
    // `connected` goes out once the call is accepted (authenticated, its input valid), as with
    // tRPC's adapter: a client that saw it knows the server has its subscription.
    let connected = false
    const connect = () => {
      if (connected) return
      connected = true
      res.write(preamble)
    }

    let ctx: TContext | undefined
    let iterator: AsyncIterator<unknown> | null = null
    let ping: NodeJS.Timeout | null = null
    try {
      ctx = opts.createContext(req, call.connectionParams)
      const rawInput = withLastEventId(input, call.lastEventId)
      const data: unknown = await procedure({
        path,
        getRawInput: () => Promise.resolve(rawInput),
        ctx,
        type: 'subscription',
        signal: abort.signal,
        batchIndex: 0,
      })
      if (!isAsyncIterable(data))
        throw getTRPCErrorFromUnknown(
          new Error(`Subscription ${path} did not return an observable or a AsyncGenerator`),
        )
      iterator = data[Symbol.asyncIterator]()
      connect()
      if (pingMs > 0 && pingMs !== Infinity) {
        ping = setInterval(() => {
          if (!abort.signal.aborted) res.write('event: ping\ndata: \n\n\n')
        }, pingMs)
        ping.unref()
      }
      let lastId =
        call.lastEventId !== null && !/[\0\n\r]/.test(call.lastEventId) ? call.lastEventId : null
      for (;;) {
        // The procedure holds `signal`: a client gone ends its iterator (no race per event,
        // which would pile reactions on one long-lived promise).
        const step = await iterator.next()
        if (step.done === true || abort.signal.aborted) break
        ping?.refresh()
        const value: unknown = step.value
        let frame: string
        if (isTrackedEnvelope(value)) {
          lastId = String(value[0])
          frame = `data: ${serialize(value[1])}\nid: ${lastId}\n\n\n`
        } else if (lastId === null) frame = `data: ${serialize(value)}\n\n\n`
        else
          frame = `data: ${serialize(value)}\nid: \n\n\nevent: restore-id\ndata: \nid: ${lastId}\n\n\n`
        if (!res.write(frame)) await drained(res)
      }
      if (!abort.signal.aborted) res.write('event: return\ndata: \n\n\n')
    } catch (cause) {
      if (!isAbortError(cause) && !abort.signal.aborted) {
        connect()
        const error = getTRPCErrorFromUnknown(cause)
        const shape: unknown = getErrorShape({
          config,
          ctx,
          error,
          input,
          path,
          type: 'subscription',
        })
        res.write(`event: serialized-error\ndata: ${serialize(shape)}\n\n\n`)
      }
    } finally {
      if (ping !== null) clearInterval(ping)
      res.off('close', onClose)
      req.off('aborted', onClose)
      abort.abort()
      if (iterator !== null) void Promise.resolve(iterator.return?.()).catch(() => undefined)
      res.end()
    }
  }
}

/** tRPC's rule: the `Last-Event-ID` header or query parameter joins the input. */
function withLastEventId(input: unknown, lastEventId: string | null): unknown {
  if (!lastEventId) return input
  if (typeof input === 'object' && input !== null && !Array.isArray(input))
    return { ...input, lastEventId }
  return input ?? { lastEventId }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.once('drain', done)
    res.once('close', done)
  })
}
