/**
 * The hot call — `POST /chat/completions` with `stream: true` — over `node:http(s)` with one
 * keep-alive agent, its event stream split by `eventsource-parser`. The `openai` SDK keeps
 * every other call. Measured against the fake upstream (same process, keep-alive): the first
 * chunk 0.7 ms after the request through this path, 1.9–2.8 ms through the SDK (fetch's web
 * streams, its header building and SSE decoder); the SDK's per-stream machinery was also a good
 * part of an answer's memory. bench/BENCHMARKS.md has the before/after.
 *
 * Errors are transport facts only (the provider maps them to what users read):
 * {@link UpstreamConnectionError} for a request that never got an answer or a body cut short.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { createParser } from 'eventsource-parser'

/** The connection failed: before any response (`connect`), or while reading its body (`body`). */
export class UpstreamConnectionError extends Error {
  override readonly name = 'UpstreamConnectionError'
  constructor(
    readonly phase: 'connect' | 'body',
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause })
  }
}

/** A response whose headers are in; its body is read once, as text or as events. */
export interface EventStreamResponse {
  status: number
  /** A response header (case-insensitive name), or null. */
  header(name: string): string | null
  /** The body as text, at most `limit` characters (the rest is not read). */
  text(limit: number): Promise<string>
  /** The `data` of each server-sent event, in order, until the body ends. */
  events(): AsyncGenerator<string, void, undefined>
  /** Drops the response (and its connection) without reading further. */
  discard(): void
}

/** POSTs JSON bodies to one base URL over kept-alive connections. */
export interface EventStreamClient {
  post(
    path: string,
    body: string,
    headers: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<EventStreamResponse>
  /** Closes the idle connections. */
  close(): void
}

/**
 * Idle connections are closed after this long: under the 5 s that Node servers (and many
 * proxies) keep an idle connection, so a request never goes out on one the other side is
 * closing.
 */
const IDLE_SOCKET_MS = 4_000

export function createEventStreamClient(baseURL: string): EventStreamClient {
  const base = new URL(baseURL.endsWith('/') ? baseURL : `${baseURL}/`)
  const secure = base.protocol === 'https:'
  const options = { keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' as const }
  const agent = secure ? new HttpsAgent(options) : new HttpAgent(options)
  const send = secure ? httpsRequest : httpRequest

  return {
    post(path, body, headers, signal) {
      const url = new URL(path.replace(/^\/+/, ''), base)
      return new Promise((resolve, reject) => {
        const req = send(url, {
          method: 'POST',
          agent,
          signal,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        })
        req.once('response', (res) => {
          req.off('error', failed)
          // A later error (the body cut short) surfaces where the body is read.
          req.on('error', () => undefined)
          resolve(responseOf(res))
        })
        const failed = (error: Error) =>
          reject(signal.aborted ? error : new UpstreamConnectionError('connect', error))
        req.on('error', failed)
        req.end(body)
      })
    },
    close() {
      agent.destroy()
    },
  }
}

function responseOf(res: IncomingMessage): EventStreamResponse {
  res.setEncoding('utf8')
  const cut = (error: unknown) => new UpstreamConnectionError('body', error)
  return {
    status: res.statusCode ?? 0,
    header(name) {
      const value = res.headers[name.toLowerCase()]
      return Array.isArray(value) ? (value[0] ?? null) : (value ?? null)
    },
    async text(limit) {
      let text = ''
      try {
        for await (const chunk of res) {
          text += chunk as string
          if (text.length >= limit) {
            res.destroy()
            return text.slice(0, limit)
          }
        }
      } catch (error) {
        throw cut(error)
      }
      return text
    },
    async *events() {
      let ready: string[] = []
      const parser = createParser({ onEvent: (event) => ready.push(event.data) })
      let ended = false
      try {
        for await (const chunk of res) {
          parser.feed(chunk as string)
          if (ready.length === 0) continue
          const batch = ready
          ready = []
          for (const data of batch) yield data
        }
        ended = true
      } catch (error) {
        throw cut(error)
      } finally {
        if (!ended) res.destroy()
      }
    },
    discard() {
      res.destroy()
    },
  }
}
