/** Why a model call failed; stable strings stored with the message (see API.md). */
export type LlmErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'payment_required'
  | 'forbidden'
  | 'timeout'
  | 'rate_limited'
  | 'upstream_unavailable'
  | 'context_length_exceeded'
  | 'unknown'

/** Extra facts about an {@link LlmError}. */
export interface LlmErrorDetails {
  /** HTTP status, or the numeric `code` of an error that arrived mid-stream. */
  status?: number | null
  retryAfterMs?: number | null
  retryable?: boolean
  cause?: unknown
  /** What the provider really said or where it failed (for the log only; truncated). */
  detail?: string | null
}

const MAX_DETAIL_LENGTH = 500

/** Raw upstream text made safe to log: one line, printable, at most 500 characters. */
export function logDetail(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null
  const flat = raw.replace(/\p{Cc}+/gu, ' ').trim()
  if (flat === '') return null
  return flat.length > MAX_DETAIL_LENGTH ? `${flat.slice(0, MAX_DETAIL_LENGTH)}…` : flat
}

/**
 * The only error type the provider throws. `message` is written for a person: what happened,
 * the provider's own reason in parentheses, and what to do about it.
 */
export class LlmError extends Error {
  override name = 'LlmError'
  readonly code: LlmErrorCode
  readonly status: number | null
  readonly retryAfterMs: number | null
  /** Whether the same request may succeed if sent again (only done before the first token). */
  readonly retryable: boolean
  /** Raw upstream detail for the log; never shown to users (see {@link logDetail}). */
  readonly detail: string | null

  constructor(code: LlmErrorCode, message: string, details: LlmErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    this.status = details.status ?? null
    this.retryAfterMs = details.retryAfterMs ?? null
    this.retryable = details.retryable ?? false
    this.detail = logDetail(details.detail)
  }
}

const MAX_REASON_LENGTH = 300
const CONTEXT_PATTERN =
  /context[ _-]?(length|window|size)|maximum context|too many tokens|prompt is too long|reduce the length|tokens? (limit|exceed)/i

// Where the provider's reason names a machine (`host:port`, an address), users see this instead.
const HOST_PORT =
  /\b(?:[a-z0-9-]+\.)*[a-z0-9-]+:\d{2,5}\b|\[[0-9a-f:]+\](?::\d+)?|\b\d{1,3}(?:\.\d{1,3}){3}\b/gi

/**
 * Formats the provider's own reason (the `message` of its JSON error object) as ` (reason)`,
 * or '' when there is none: one line, printable, no host or port, at most 300 characters.
 * Raw bodies (an HTML error page) never get here: they go to `detail`, for the log.
 */
export function reasonSuffix(reason: string | null): string {
  const text = reason
    ?.replace(/\p{Cc}+/gu, ' ')
    .replace(HOST_PORT, '(a server)')
    .trim()
  if (!text) return ''
  return ` (${text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH)}…` : text})`
}

function seconds(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))} s`
}

/** Facts about an upstream failure that has an HTTP-like status. */
export interface UpstreamFailure {
  status: number
  /** The provider's own message, e.g. OpenRouter's `error.message`. */
  reason: string | null
  retryAfterMs?: number | null
  /** OpenRouter's `error.metadata` (moderation reasons, provider name…). */
  metadata?: unknown
  cause?: unknown
  /** The raw body or transport detail, for the log only. */
  detail?: string | null
}

function moderationReasons(metadata: unknown): string | null {
  if (typeof metadata !== 'object' || metadata === null || !('reasons' in metadata)) return null
  const { reasons } = metadata
  if (!Array.isArray(reasons)) return null
  const list = reasons.filter((r): r is string => typeof r === 'string')
  return list.length > 0 ? list.join(', ') : null
}

/**
 * Maps an upstream status (HTTP status, or the numeric `code` of a mid-stream error) to an
 * {@link LlmError} whose message says what to do.
 */
export function llmErrorFromStatus(failure: UpstreamFailure): LlmError {
  const { status, reason, retryAfterMs = null, cause } = failure
  const why = reasonSuffix(reason)
  const base = { status, cause, retryAfterMs, detail: failure.detail ?? reason }
  if (status === 401) {
    return new LlmError(
      'unauthorized',
      `The model provider rejected the API key${why}. Check OPENROUTER_API_KEY.`,
      base,
    )
  }
  if (status === 402) {
    return new LlmError(
      'payment_required',
      `Out of credits on the model provider${why}: add credits to the OpenRouter account, lower the maximum answer length, or choose a cheaper or free model.`,
      base,
    )
  }
  if (status === 403) {
    const flagged = moderationReasons(failure.metadata)
    return new LlmError(
      'forbidden',
      `The model provider refused the input${why}${flagged ? `; flagged for: ${flagged}` : ''}. Rephrase the message or choose another model.`,
      base,
    )
  }
  if (status === 408 || status === 504) {
    return new LlmError(
      'timeout',
      `The model provider timed out${why}. Try again, or choose another model.`,
      { ...base, retryable: true },
    )
  }
  if (status === 429) {
    const when = retryAfterMs !== null ? `in ${seconds(retryAfterMs)}` : 'in a moment'
    return new LlmError(
      'rate_limited',
      `Rate limited by the model provider${why}: try again ${when}, or choose another model.`,
      { ...base, retryable: true },
    )
  }
  if (
    status === 413 ||
    ((status === 400 || status === 422) && CONTEXT_PATTERN.test(reason ?? ''))
  ) {
    return new LlmError(
      'context_length_exceeded',
      `The conversation is too long for this model${why}. Start a new chat, shorten the message, or choose a model with a larger context window.`,
      base,
    )
  }
  if (status >= 400 && status < 500) {
    return new LlmError(
      'bad_request',
      `The model provider rejected the request${why}. Check the model id and the request parameters.`,
      base,
    )
  }
  if (status >= 500) {
    return new LlmError(
      'upstream_unavailable',
      `The model is unavailable right now${why}. Try again shortly, or choose another model.`,
      { ...base, retryable: status === 502 || status === 503 },
    )
  }
  return new LlmError('unknown', `The model provider failed unexpectedly${why}.`, base)
}

/** The error for a stream that produced no token in time, or went quiet after starting. */
export function llmTimeoutError(kind: 'first-token' | 'idle', timeoutMs: number): LlmError {
  const message =
    kind === 'first-token'
      ? `The model did not start answering within ${seconds(timeoutMs)}. Try again, or choose another model.`
      : `The model stopped sending tokens for ${seconds(timeoutMs)}. Try again, or choose another model.`
  return new LlmError('timeout', message, { retryable: true })
}

/** The error a call ends with when its caller aborted it (a timeout reads as `timeout`). */
export function abortedError(signal: AbortSignal): LlmError {
  const reason: unknown = signal.reason
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new LlmError('timeout', 'The model provider did not answer in time. Try again.', {
      cause: reason,
    })
  }
  return new LlmError('unknown', 'The request to the model provider was cancelled.', {
    cause: reason,
  })
}
