import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai'
import { LlmError, llmErrorFromStatus, reasonSuffix } from './errors'
import { UpstreamConnectionError, type EventStreamResponse } from './event-stream'

/** `obj[key]` when `obj` is an object, else undefined. */
export function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[key] : undefined
}

/** `Retry-After` as milliseconds (seconds or an HTTP date), or null. */
export function parseRetryAfter(
  headers: { get(name: string): string | null } | undefined,
): number | null {
  const ms = headers?.get('retry-after-ms')
  if (ms) {
    const n = Number(ms)
    if (Number.isFinite(n) && n >= 0) return n
  }
  const value = headers?.get('retry-after')
  if (!value) return null
  const secs = Number(value)
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now())
}

function numericCode(code: unknown): number | null {
  if (typeof code === 'number' && Number.isInteger(code)) return code
  if (typeof code === 'string' && /^\d{3}$/.test(code)) return Number(code)
  return null
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : ''
  return `${err.message}${cause}`
}

/**
 * Maps an OpenRouter error object (`{ code, message, metadata }`) that came without an HTTP
 * status — mid-stream, or in a 200 body — by its `code`, like an HTTP status.
 */
export function llmErrorFromBody(body: unknown, cause?: unknown): LlmError {
  const reason = field(body, 'message')
  const text = typeof reason === 'string' ? reason : null
  const code = numericCode(field(body, 'code'))
  if (code !== null) {
    return llmErrorFromStatus({
      status: code,
      reason: text,
      metadata: field(body, 'metadata'),
      cause,
    })
  }
  return new LlmError(
    'upstream_unavailable',
    `The model failed while answering${reasonSuffix(text)}. Try again, or choose another model.`,
    { retryable: true, cause, detail: text },
  )
}

/**
 * Maps anything the openai SDK (or the stream reading it) throws to an {@link LlmError}.
 * Caller aborts and our own timeouts are handled before this is called.
 */
export function toLlmError(err: unknown): LlmError {
  if (err instanceof LlmError) return err
  if (err instanceof APIConnectionTimeoutError) {
    return new LlmError(
      'timeout',
      'The model provider did not answer in time. Try again, or choose another model.',
      { retryable: true, cause: err },
    )
  }
  if (err instanceof APIConnectionError) return unreachable(err, err.cause ?? err)
  if (err instanceof UpstreamConnectionError) {
    return err.phase === 'connect' ? unreachable(err, err.cause ?? err) : broken(err)
  }
  if (err instanceof APIError) {
    const body: unknown = err.error
    // A non-JSON error body (e.g. a proxy's HTML page) only survives in the SDK's message.
    const raw =
      body === undefined && !err.message.includes('(no body)')
        ? err.message.replace(/^\d{3} /, '')
        : null
    if (typeof err.status === 'number') {
      return statusError({
        status: err.status,
        error: body,
        raw,
        retryAfterMs: parseRetryAfter(err.headers as Headers | undefined),
        cause: err,
      })
    }
    // openai 6 throws a mid-stream `data: {"error": …}` as an APIError without status.
    return llmErrorFromBody(body, err)
  }
  // undici reports a connection cut mid-body as TypeError("terminated"); a garbled chunk is a SyntaxError.
  if (err instanceof TypeError || err instanceof SyntaxError) return broken(err)
  return new LlmError('unknown', 'The model call failed unexpectedly. Try again.', {
    cause: err,
    detail: describe(err),
  })
}

/**
 * An HTTP error status with its body: `error` is the body's `error` object when the body was
 * JSON, `raw` the body's text when it was not (logged, never shown: it can name hosts,
 * versions, internal pages).
 */
export function statusError(failure: {
  status: number
  error: unknown
  raw: string | null
  retryAfterMs: number | null
  cause?: unknown
}): LlmError {
  const reason = field(failure.error, 'message')
  return llmErrorFromStatus({
    status: failure.status,
    reason: typeof reason === 'string' ? reason : null,
    metadata: field(failure.error, 'metadata'),
    cause: failure.cause,
    detail: typeof reason === 'string' ? reason : failure.raw,
    retryAfterMs: failure.retryAfterMs,
  })
}

/** The most of an error response's body read (for its reason, and the log). */
const MAX_ERROR_BODY = 64 * 1024

/** An error status of the streaming call (event-stream.ts), mapped like the SDK's. */
export async function responseError(res: EventStreamResponse): Promise<LlmError> {
  const text = await res.text(MAX_ERROR_BODY)
  let json: unknown
  try {
    json = JSON.parse(text) as unknown
  } catch {
    json = undefined
  }
  return statusError({
    status: res.status,
    error: field(json, 'error'),
    raw: json === undefined && text.trim() !== '' ? text : null,
    retryAfterMs: parseRetryAfter({ get: (name) => res.header(name) }),
  })
}

/** No connection to the provider. The cause names its host and port: the log gets it, users do not. */
function unreachable(err: unknown, cause: unknown): LlmError {
  return new LlmError(
    'upstream_unavailable',
    'Could not reach the model provider. Try again shortly; if it persists, the server operator should check its network and provider settings.',
    { retryable: true, cause: err, detail: describe(cause) },
  )
}

/** The connection broke while the answer came in, or what came was not readable. */
function broken(err: unknown): LlmError {
  return new LlmError(
    'upstream_unavailable',
    'The connection to the model provider broke. Try again.',
    {
      retryable: true,
      cause: err,
      detail: describe(err),
    },
  )
}
