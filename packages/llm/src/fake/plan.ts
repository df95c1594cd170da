import { contextLengthMessage, defaultErrorMessage } from './errors'
import { loremToken, loremTokenJson, wordTokens } from './lorem'
import { numParam, parseFakeModelId } from './model-id'

/** Context windows the fake enforces (others are unlimited). */
export const FAKE_CONTEXT_LENGTHS: ReadonlyMap<string, number> = new Map([['fake/tiny', 256]])

/** How a successful (HTTP 200) answer unfolds. */
export interface StreamPlan {
  kind: 'stream'
  tokens: readonly string[]
  /** `tokens`, JSON-encoded once up front so the hot path only concatenates strings. */
  encoded: readonly string[]
  firstMs: number
  delayMs: number
  comments: number
  commentIntervalMs: number
  finishReason: 'stop' | 'length'
  end: { kind: 'done' } | { kind: 'error'; code: number; message: string } | { kind: 'stall' }
}

/** An HTTP error answered before any stream. */
export interface ErrorPlan {
  kind: 'error'
  status: number
  message: string
  retryAfter: string | null
  metadata: Record<string, unknown>
}

/** A response that is not what an OpenAI-compatible server should send (status 200 unless set). */
export interface RawPlan {
  kind: 'raw'
  status: number
  contentType: string
  body: string
}

export type Plan = StreamPlan | ErrorPlan | RawPlan

/** `fake/nonsense:as=…`: bodies a misconfigured proxy or a wrong base URL answer with. */
function nonsense(params: Map<string, string>): RawPlan {
  const status = numParam(params, 'status', 200)
  switch (params.get('as')) {
    case 'json':
      return { kind: 'raw', status, contentType: 'application/json', body: '{"ok":true}' }
    case 'empty':
      return { kind: 'raw', status, contentType: 'text/event-stream', body: 'data: [DONE]\n\n' }
    default:
      return {
        kind: 'raw',
        status,
        contentType: 'text/html',
        body: '<html><body><h1>Welcome to nginx at 10.1.2.3:8443</h1></body></html>',
      }
  }
}

/** What the planner needs to know about one request. */
export interface PlanInput {
  model: string
  lastUserText: string
  promptTokens: number
  maxTokens: number | null
  /** Per-instance count of earlier requests for this exact model id (for `fake/flaky`). */
  seen: number
}

function lorem(count: number): { tokens: string[]; encoded: string[] } {
  const tokens = new Array<string>(count)
  const encoded = new Array<string>(count)
  for (let i = 0; i < count; i++) {
    tokens[i] = loremToken(i)
    encoded[i] = loremTokenJson(i)
  }
  return { tokens, encoded }
}

function words(text: string): { tokens: string[]; encoded: string[] } {
  const tokens = wordTokens(text)
  return { tokens, encoded: tokens.map((t) => JSON.stringify(t)) }
}

function error(status: number, model: string, params: Map<string, string>): ErrorPlan {
  const metadata: Record<string, unknown> =
    status === 403 ? { reasons: ['harassment'], flagged_input: '…', provider_name: 'Fake' } : {}
  return {
    kind: 'error',
    status,
    message: params.get('message') ?? defaultErrorMessage(status, model),
    retryAfter: params.get('retryAfter') ?? null,
    metadata,
  }
}

/** Decides, from the model id alone (plus the request), what the fake answers. */
export function planFor(input: PlanInput): Plan {
  const { model } = input
  const { slug, params } = parseFakeModelId(model)
  const timing = { firstMs: numParam(params, 'first', 0), delayMs: numParam(params, 'delay', 0) }
  let body = lorem(numParam(params, 'tokens', 12))
  let end: StreamPlan['end'] = { kind: 'done' }
  let comments = 0

  const contextLength = FAKE_CONTEXT_LENGTHS.get(slug)
  if (contextLength !== undefined && input.promptTokens > contextLength) {
    const message = contextLengthMessage(contextLength, input.promptTokens + 1000)
    return { kind: 'error', status: 400, message, retryAfter: null, metadata: {} }
  }

  if (!slug.startsWith('fake/') || slug === 'fake/lorem') {
    // lorem: the defaults above
  } else if (slug === 'fake/echo' || slug === 'fake/tiny') {
    body = words(input.lastUserText)
  } else if (slug === 'fake/title') {
    body = words(params.get('text') ?? 'Fake Title')
  } else if (slug === 'fake/slow') {
    body = lorem(numParam(params, 'tokens', 40))
    timing.delayMs = numParam(params, 'delay', 20)
  } else if (slug === 'fake/processing') {
    comments = numParam(params, 'comments', 3)
  } else if (slug === 'fake/error') {
    const status = numParam(params, 'status', 500)
    if (status === 400 && params.get('context') === '1') {
      return {
        kind: 'error',
        status,
        message: params.get('message') ?? contextLengthMessage(8192, 9000),
        retryAfter: null,
        metadata: {},
      }
    }
    return error(status, model, params)
  } else if (slug === 'fake/nonsense') {
    return nonsense(params)
  } else if (slug === 'fake/big') {
    // One delta of `chars` characters (an upstream that sends the whole answer at once).
    const text = 'x'.repeat(numParam(params, 'chars', 1_000_000))
    body = { tokens: [text], encoded: [JSON.stringify(text)] }
  } else if (slug === 'fake/flaky') {
    if (input.seen < numParam(params, 'fails', 2)) {
      return error(numParam(params, 'status', 503), model, params)
    }
  } else if (slug === 'fake/midstream') {
    body = lorem(numParam(params, 'after', 5))
    const code = numParam(params, 'code', 502)
    end = {
      kind: 'error',
      code,
      message: params.get('message') ?? defaultErrorMessage(code, model),
    }
  } else if (slug === 'fake/stall') {
    body = lorem(numParam(params, 'after', 3))
    end = { kind: 'stall' }
  } else {
    return error(400, model, params)
  }

  let finishReason: StreamPlan['finishReason'] = 'stop'
  if (end.kind === 'done' && input.maxTokens !== null && body.tokens.length > input.maxTokens) {
    body = {
      tokens: body.tokens.slice(0, input.maxTokens),
      encoded: body.encoded.slice(0, input.maxTokens),
    }
    finishReason = 'length'
  }
  return {
    kind: 'stream',
    ...body,
    ...timing,
    comments,
    commentIntervalMs: numParam(params, 'interval', 50),
    finishReason,
    end,
  }
}
