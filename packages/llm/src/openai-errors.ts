import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai'
import { LlmError, llmErrorFromStatus, reasonSuffix } from './errors'

/** `obj[key]` when `obj` is an object, else undefined. */
export function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[key] : undefined
}

/** `Retry-After` as milliseconds (seconds or an HTTP date), or null. */
export function parseRetryAfter(headers: Headers | undefined): number | null {
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
  if (err instanceof APIConnectionError) {
    // The cause names the provider's host and port: the log gets it, users do not.
    return new LlmError(
      'upstream_unavailable',
      'Could not reach the model provider. Try again shortly; if it persists, the server operator should check its network and provider settings.',
      { retryable: true, cause: err, detail: describe(err.cause ?? err) },
    )
  }
  if (err instanceof APIError) {
    const body: unknown = err.error
    const reason = field(body, 'message')
    // A non-JSON error body (e.g. a proxy's HTML page) only survives in the SDK's message:
    // it is logged, never shown (it can name hosts, versions, internal pages).
    const raw =
      body === undefined && !err.message.includes('(no body)')
        ? err.message.replace(/^\d{3} /, '')
        : null
    const failure = {
      reason: typeof reason === 'string' ? reason : null,
      metadata: field(body, 'metadata'),
      cause: err,
      detail: typeof reason === 'string' ? reason : raw,
    }
    if (typeof err.status === 'number') {
      return llmErrorFromStatus({
        ...failure,
        status: err.status,
        retryAfterMs: parseRetryAfter(err.headers as Headers | undefined),
      })
    }
    // openai 6 throws a mid-stream `data: {"error": …}` as an APIError without status.
    return llmErrorFromBody(body, err)
  }
  // undici reports a connection cut mid-body as TypeError("terminated"); a garbled chunk is a SyntaxError.
  if (err instanceof TypeError || err instanceof SyntaxError) {
    return new LlmError(
      'upstream_unavailable',
      'The connection to the model provider broke. Try again.',
      { retryable: true, cause: err, detail: describe(err) },
    )
  }
  return new LlmError('unknown', 'The model call failed unexpectedly. Try again.', {
    cause: err,
    detail: describe(err),
  })
}
