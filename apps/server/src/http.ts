import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { TRPCError } from '@trpc/server'
import { appRouter, formatError, openApiDocument } from '@t3chat/api'

/** The caller's `x-request-id` when it is a sane token, else a fresh one. */
export function requestId(req: IncomingMessage): string {
  const header = req.headers['x-request-id']
  return typeof header === 'string' && /^[\w.:-]{1,100}$/.test(header) ? header : randomUUID()
}

/** A URL path decoded, or null when it is not valid percent-encoding. */
export function safeDecode(path: string): string | null {
  try {
    return decodeURIComponent(path)
  } catch {
    return null
  }
}

/** `Bearer <token>` from connection params (WebSocket, or SSE's query parameter), or null. */
export function tokenParam(
  params: Partial<Record<string, string>> | null | undefined,
): string | null {
  const token = params?.token
  return typeof token === 'string' && token !== '' ? `Bearer ${token}` : null
}

/** Whether `origin` (absent for non-browser clients) may call: CORS_ORIGINS, or `*`. */
export function originAllowed(origins: readonly string[], origin: string | undefined): boolean {
  return origin === undefined || origins.includes('*') || origins.includes(origin)
}

/** Answers CORS preflights and tags responses for allowed origins; true when it answered. */
export function corsHeaders(origins: string[]) {
  const any = origins.includes('*')
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const origin = req.headers.origin
    if (origin === undefined || origins.length === 0 || !originAllowed(origins, origin))
      return false
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin)
    res.setHeader('Vary', 'Origin')
    if (req.method !== 'OPTIONS') return false
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
    res.setHeader(
      'Access-Control-Allow-Headers',
      'authorization, content-type, trpc-accept, x-request-id, last-event-id',
    )
    res.setHeader('Access-Control-Max-Age', '600')
    res.writeHead(204).end()
    return true
  }
}

/**
 * Refuses a POST body that is not JSON (tRPC would read form data and octet streams as an
 * empty input, so `conversation.create` made an untitled conversation): 415, in the same
 * error shape as every other error. True when it answered.
 */
export function refuseNonJson(req: IncomingMessage, res: ServerResponse): boolean {
  const type = req.headers['content-type']
  if (req.method !== 'POST' || type === undefined || /^application\/json\s*(;|$)/i.test(type))
    return false
  const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1)
  const error = new TRPCError({
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: `content-type "${type.slice(0, 100)}" is not supported: send application/json.`,
  })
  const shape = formatError({ error, ctx: undefined, path })
  req.resume()
  res
    .writeHead(shape.data.httpStatus, { 'content-type': 'application/json', connection: 'close' })
    .end(JSON.stringify({ error: shape }))
  return true
}

/**
 * `GET /openapi.json`: OpenAPI 3.1 for the queries and mutations, generated from the router on
 * first request (the same document as docs/openapi.json). True when it answered.
 */
export function openApiRoute(version: string) {
  let body: string | null = null
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/openapi.json') return false
    body ??= JSON.stringify(openApiDocument(appRouter, { version }))
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' })
    res.end(body)
    return true
  }
}
