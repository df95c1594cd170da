import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { errorBody } from './errors'
import { modelsBody } from './models'
import { numParam, parseFakeModelId } from './model-id'
import { planFor } from './plan'
import { fakeCost, sendCompletion, sendError, sendStream, type CompletionMeta } from './respond'

/** One `/chat/completions` request as the fake saw it. */
export interface FakeRequest {
  model: string
  /** The parsed JSON body. */
  body: Record<string, unknown>
  headers: Record<string, string | undefined>
  /** The client disconnected before the response ended. */
  aborted: boolean
  /** Resolves when the response ends or the client disconnects. */
  finished: Promise<void>
}

/** A running fake OpenRouter. */
export interface FakeUpstream {
  /** e.g. `http://127.0.0.1:PORT/api/v1` (OpenRouter-like path). */
  baseURL: string
  /** Every `/chat/completions` request, in order. */
  requests: FakeRequest[]
  /** How many `GET /models` requests arrived. */
  readonly modelsRequests: number
  /** How many TCP connections were accepted (shows whether clients reuse connections). */
  readonly connections: number
  /** false → `GET /models` answers 503. */
  setModelsAvailable(ok: boolean): void
  /** From now on this API key is refused (401) everywhere, like a revoked OpenRouter key. */
  revokeKey(key: string): void
  /** How many `GET /generation` requests arrived. */
  readonly generationRequests: number
  /** Stops the server and destroys open sockets (stalled streams included). */
  close(): Promise<void>
}

/** Options of {@link startFakeUpstream}. */
export interface FakeUpstreamOptions {
  /** Default 0 (an ephemeral port). */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Keep `requests` (default true); a long benchmark turns it off to keep memory flat. */
  recordRequests?: boolean
  /**
   * `GET /generation?id=` answers 404 this many times per generation before it has the
   * cost, like OpenRouter a few seconds after the end. Default 1.
   */
  generationMisses?: number
}

/** A generation as the fake billed it (its `GET /generation` data). */
interface Generation {
  promptTokens: number
  completionTokens: number
  cancelled: boolean
  misses: number
}

const API_PREFIX = '/api/v1'
const MAX_BODY_BYTES = 16 * 1024 * 1024

function messageText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  let text = ''
  for (const part of content as unknown[]) {
    if (
      typeof part === 'object' &&
      part !== null &&
      'text' in part &&
      typeof part.text === 'string'
    ) {
      text += part.text
    }
  }
  return text
}

function promptFacts(messages: unknown): { chars: number; lastUserText: string } {
  let chars = 0
  let lastUserText = ''
  if (!Array.isArray(messages)) return { chars, lastUserText }
  for (const m of messages as unknown[]) {
    if (typeof m !== 'object' || m === null) continue
    const text = messageText('content' in m ? m.content : undefined)
    chars += text.length
    if ('role' in m && m.role === 'user') lastUserText = text
  }
  return { chars, lastUserText }
}

function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(req.headers)) {
    out[key] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const parts: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) parts.push(chunk)
    })
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return resolve(null)
      try {
        const value: unknown = JSON.parse(Buffer.concat(parts).toString('utf8'))
        resolve(
          typeof value === 'object' && value !== null && !Array.isArray(value)
            ? (value as Record<string, unknown>)
            : null,
        )
      } catch {
        resolve(null)
      }
    })
    req.on('error', () => resolve(null))
    req.on('close', () => resolve(null))
  })
}

/**
 * Starts a fake OpenRouter on 127.0.0.1: `POST /api/v1/chat/completions` (behaviour chosen by
 * the model id, see the package README section in `index.ts`) and `GET /api/v1/models`.
 *
 * @example
 * ```ts
 * const fake = await startFakeUpstream()
 * const llm = createOpenRouterProvider({ apiKey: 'test', baseURL: fake.baseURL })
 * // … stream 'fake/echo' …
 * await fake.close()
 * ```
 */
export async function startFakeUpstream(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const record = opts.recordRequests ?? true
  const requests: FakeRequest[] = []
  const seenByModel = new Map<string, number>()
  let modelsAvailable = true
  let modelsRequests = 0
  let sequence = 0
  const idBase = randomBytes(6).toString('hex')
  const revoked = new Set<string>()
  const generations = new Map<string, Generation>()
  let generationRequests = 0
  const bearer = (req: IncomingMessage): string | null =>
    /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1] ?? null

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry: FakeRequest = {
      model: '',
      body: {},
      headers: flatHeaders(req),
      aborted: false,
      finished: Promise.resolve(),
    }
    // Listen before reading the body so a client that leaves early is still seen leaving.
    entry.finished = new Promise<void>((resolve) =>
      res.on('close', () => {
        entry.aborted = !res.writableEnded
        resolve()
      }),
    )
    const body = await readJson(req)
    const model = typeof body?.model === 'string' ? body.model : ''
    entry.model = model
    entry.body = body ?? {}
    if (record) requests.push(entry)
    if (entry.aborted) return

    const key = bearer(req)
    if (key === null || revoked.has(key)) {
      return sendError(res, {
        status: 401,
        message: key === null ? 'No auth credentials found' : 'User not found.',
        retryAfter: null,
        metadata: {},
      })
    }
    if (body === null || !model || !Array.isArray(body.messages)) {
      return sendError(res, {
        status: 400,
        message: 'Invalid request: "model" and "messages" are required',
        retryAfter: null,
        metadata: {},
      })
    }

    const seen = seenByModel.get(model) ?? 0
    seenByModel.set(model, seen + 1)
    const { chars, lastUserText } = promptFacts(body.messages)
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : null
    const meta: CompletionMeta = {
      id: `gen-${idBase}-${++sequence}`,
      model,
      created: Math.floor(Date.now() / 1000),
      // `promptTokens=` in the model id reports another count (an upstream that lies).
      promptTokens: numParam(parseFakeModelId(model).params, 'promptTokens', Math.ceil(chars / 4)),
      usage: numParam(parseFakeModelId(model).params, 'usage', 1) !== 0,
    }
    const id = meta.id
    meta.onEnd = (tokens) => {
      generations.set(id, {
        promptTokens: meta.promptTokens,
        completionTokens: tokens,
        cancelled: entry.aborted,
        misses: opts.generationMisses ?? 1,
      })
    }
    const plan = planFor({ model, lastUserText, promptTokens: meta.promptTokens, maxTokens, seen })
    if (plan.kind === 'error') return sendError(res, plan)
    if (plan.kind === 'raw') {
      res.writeHead(plan.status, { 'Content-Type': plan.contentType }).end(plan.body)
      return
    }
    if (body.stream) sendStream(res, plan, meta)
    else sendCompletion(res, plan, meta)
  }

  function models(res: ServerResponse): void {
    modelsRequests++
    if (!modelsAvailable) {
      return sendError(res, {
        status: 503,
        message: 'Model list temporarily unavailable',
        retryAfter: null,
        metadata: {},
      })
    }
    const body = modelsBody()
    res
      .writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
      })
      .end(body)
  }

  function generation(req: IncomingMessage, res: ServerResponse, id: string): void {
    generationRequests++
    const json = (status: number, body: string): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body)
    }
    const key = bearer(req)
    if (key === null || revoked.has(key)) return json(401, errorBody(401, 'User not found.'))
    const g = generations.get(id)
    if (g === undefined || g.misses > 0) {
      if (g !== undefined) g.misses--
      return json(404, errorBody(404, `Generation ${id} not found`))
    }
    json(
      200,
      JSON.stringify({
        data: {
          id,
          total_cost: fakeCost(g.promptTokens, g.completionTokens),
          cache_discount: null,
          streamed: true,
          cancelled: g.cancelled,
          provider_name: 'Fake',
          tokens_prompt: g.promptTokens,
          tokens_completion: g.completionTokens,
          native_tokens_prompt: g.promptTokens,
          native_tokens_completion: g.completionTokens,
          is_byok: false,
        },
      }),
    )
  }

  function keyInfo(req: IncomingMessage, res: ServerResponse): void {
    const key = bearer(req)
    if (key === null || revoked.has(key)) {
      res
        .writeHead(401, { 'Content-Type': 'application/json' })
        .end(errorBody(401, 'User not found.'))
      return
    }
    const body = JSON.stringify({
      data: { label: 'fake', usage: 0, limit: null, limit_remaining: null, is_free_tier: false },
    })
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
  }

  const server = createServer({ noDelay: true, keepAlive: true }, (req, res) => {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    const route = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : path
    if (req.method === 'POST' && route === '/chat/completions') {
      void chat(req, res)
    } else if (req.method === 'GET' && route === '/generation') {
      req.resume()
      generation(req, res, new URLSearchParams(q < 0 ? '' : url.slice(q + 1)).get('id') ?? '')
    } else if (req.method === 'GET' && route === '/key') {
      req.resume()
      keyInfo(req, res)
    } else if (req.method === 'GET' && route === '/models') {
      // Like OpenRouter, the model list is public: no API key needed.
      req.resume()
      models(res)
    } else {
      req.resume()
      const body = errorBody(404, `Not found: ${req.method ?? ''} ${path}`)
      res.writeHead(404, { 'Content-Type': 'application/json' }).end(body)
    }
  })
  let connections = 0
  server.on('connection', (socket) => {
    connections++
    socket.setNoDelay(true)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address

  return {
    baseURL: `http://${host}:${address.port}${API_PREFIX}`,
    requests,
    get modelsRequests() {
      return modelsRequests
    },
    get connections() {
      return connections
    },
    setModelsAvailable(ok) {
      modelsAvailable = ok
    },
    revokeKey(key) {
      revoked.add(key)
    },
    get generationRequests() {
      return generationRequests
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}
