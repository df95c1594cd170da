import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AnyTRPCProcedure, AnyTRPCRouter } from '@trpc/server'
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  type TRPCError,
  type TRPCErrorShape,
} from '@trpc/server/unstable-core-do-not-import'
import { safeDecode } from './http'

/** One call's answer, before the transformer: its data, or its formatted error. */
type Outcome = { result: { data: unknown } } | { error: TRPCErrorShape }

/**
 * tRPC v11's queries and mutations (`httpBatchLink`, `httpLink`), answered straight on the Node
 * response.
 *
 * tRPC's HTTP adapter turns every call into a fetch `Request`, reads it back through web
 * streams and writes a fetch `Response` out through another: ~450 µs of CPU per call on this
 * machine, four times what Node's HTTP server itself costs (bench/BENCHMARKS.md). Every list,
 * search and `chat.send` pays it. This runs the same procedures with the same context and
 * writes the same JSON (the same shapes, errors through the router's formatter, the same
 * status codes — 207 for a batch whose calls disagree), and the same headers, with a
 * `content-length` where tRPC streams the body chunked.
 *
 * Only the plain cases are taken: GET calls of queries or POST calls of mutations, batched or
 * not, every procedure known, input JSON that parses (a batch's an object), a JSON body with a
 * length under `maxBodySize`, a batch within `maxBatchSize`, no streaming accept header. Anything
 * else goes to tRPC (`fallback`), which answers as it always did — a body already read is
 * handed over as `req.body`, which tRPC's adapter takes as the body.
 */
export function createRpcResponder<TContext extends object>(opts: {
  router: AnyTRPCRouter
  createContext: (req: IncomingMessage) => TContext | Promise<TContext>
  fallback: (req: IncomingMessage, res: ServerResponse) => void
  maxBodySize: number
  maxBatchSize: number
  /** Headers added to every response (tRPC's `responseMeta` headers are appended the same way). */
  headers?: Readonly<Record<string, string>>
}) {
  const config = opts.router._def._config
  const procedures = opts.router._def.procedures as Record<string, AnyTRPCProcedure | undefined>
  let vary = 'trpc-accept, accept'
  const extra: Array<[string, string]> = []
  for (const [key, value] of Object.entries(opts.headers ?? {})) {
    if (key.toLowerCase() === 'vary') vary = `${vary}, ${value}`
    else extra.push([key.toLowerCase(), value])
  }
  const deserialize = (value: unknown): unknown => config.transformer.input.deserialize(value)
  // tRPC's transformTRPCResponse: the transformer's output form of the data or the error shape.
  const output = (value: unknown): unknown => config.transformer.output.serialize(value)
  const serialize = (outcome: Outcome): unknown =>
    'error' in outcome
      ? { error: output(outcome.error) }
      : { result: { data: output(outcome.result.data) } }

  return function respond(req: IncomingMessage, res: ServerResponse): boolean {
    const { method, url, headers } = req
    if ((method !== 'GET' && method !== 'POST') || url === undefined) return false
    if (headers['trpc-accept'] !== undefined || headers.accept?.includes('application/jsonl'))
      return false
    const query = url.indexOf('?')
    const params = new URLSearchParams(query < 0 ? '' : url.slice(query + 1))
    if (params.has('connectionParams')) return false
    const batch = params.get('batch') === '1'
    const path = safeDecode(query < 0 ? url.slice(1) : url.slice(1, query))
    if (path === null || path === '') return false
    const paths = batch ? path.split(',') : [path]
    if (batch && paths.length > opts.maxBatchSize) return false
    const type = method === 'GET' ? 'query' : 'mutation'
    const calls: Array<{ path: string; procedure: AnyTRPCProcedure }> = []
    for (const p of paths) {
      const procedure = procedures[p]
      if (procedure === undefined || procedure._def.type !== type) return false
      calls.push({ path: p, procedure })
    }
    if (method === 'GET') {
      const inputs = parseInputs(params.get('input') ?? '', batch, paths.length, deserialize)
      if (inputs === null) return false
      void serve(req, res, calls, batch, inputs)
      return true
    }
    const length = Number(headers['content-length'])
    const contentType = headers['content-type']
    if (
      !Number.isSafeInteger(length) ||
      length > opts.maxBodySize ||
      contentType === undefined ||
      !/^application\/json\s*(;|$)/i.test(contentType)
    )
      return false
    void readBody(req, length).then((body) => {
      // The client went away mid-body: nobody to answer.
      if (body === null) return void res.destroy()
      const inputs = parseInputs(body, batch, paths.length, deserialize)
      if (inputs !== null) return serve(req, res, calls, batch, inputs)
      // tRPC reads a string `req.body` as the request's body: it answers the odd ones.
      Object.assign(req, { body })
      opts.fallback(req, res)
    })
    return true
  }

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    calls: Array<{ path: string; procedure: AnyTRPCProcedure }>,
    batch: boolean,
    inputs: unknown[],
  ): Promise<void> {
    const abort = new AbortController()
    const onClose = () => {
      if (!res.writableFinished) abort.abort()
    }
    res.once('close', onClose)
    let ctx: TContext | undefined
    let ctxError: TRPCError | null = null
    try {
      ctx = await opts.createContext(req)
    } catch (error) {
      ctxError = getTRPCErrorFromUnknown(error)
    }
    const errors: TRPCError[] = []
    const results = await Promise.all(
      calls.map(async ({ path, procedure }, index): Promise<Outcome> => {
        const input = inputs[index]
        try {
          if (ctxError !== null) throw ctxError
          const data: unknown = await procedure({
            path,
            getRawInput: () => Promise.resolve(input),
            ctx,
            type: procedure._def.type,
            signal: abort.signal,
            batchIndex: index,
          })
          return { result: { data } }
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause)
          errors[index] = error
          const shape = getErrorShape({
            config,
            ctx,
            error,
            input,
            path,
            type: procedure._def.type,
          }) as TRPCErrorShape
          return { error: shape }
        }
      }),
    )
    res.off('close', onClose)
    if (res.destroyed) return
    const json = batch ? results : results[0]
    if (json === undefined) return void res.destroy()
    res.statusCode = getHTTPStatusCode(json, errors)
    res.setHeader('content-type', 'application/json')
    res.setHeader('vary', vary)
    for (const [key, value] of extra) res.setHeader(key, value)
    res.end(JSON.stringify(batch ? results.map(serialize) : serialize(json as Outcome)))
  }
}

/**
 * A call's inputs by batch index, as tRPC reads them (a batch's input is an object keyed by
 * index; absent inputs are undefined), or null when tRPC should answer (not JSON, not an object).
 */
function parseInputs(
  text: string,
  batch: boolean,
  count: number,
  deserialize: (value: unknown) => unknown,
): unknown[] | null {
  const inputs: unknown[] = new Array<unknown>(count).fill(undefined)
  if (text === '') return inputs
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return null
  }
  if (!batch) {
    inputs[0] = deserialize(parsed)
    return inputs
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null
  const byIndex = parsed as Record<string, unknown>
  for (let i = 0; i < count; i++) {
    const value = byIndex[i]
    if (value !== undefined) inputs[i] = deserialize(value)
  }
  return inputs
}

/** The body as text, or null when it did not arrive whole. */
async function readBody(req: IncomingMessage, length: number): Promise<string | null> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of req) {
      const buffer = chunk as Buffer
      size += buffer.length
      if (size > length) return null
      chunks.push(buffer)
    }
  } catch {
    return null
  }
  return size === length ? Buffer.concat(chunks, size).toString('utf8') : null
}
