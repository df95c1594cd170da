import { TRPCError } from '@trpc/server'
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server'
import { getHTTPStatusCodeFromError } from '@trpc/server/http'
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc'
import type { Logger } from 'pino'
import { AuthError } from '@t3chat/auth'
import { DiskFullError, InvalidCursorError } from '@t3chat/db'
import { ZodError } from 'zod'

/**
 * Base class of every error a service throws on purpose. `errors.ts` is the one place that
 * turns them into tRPC codes; services never construct a TRPCError.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}

type DomainErrorKind =
  | 'not_found'
  | 'conflict'
  | 'invalid'
  | 'too_large'
  | 'too_many'
  | 'precondition'
  | 'unauthorized'
  | 'payment'

/** A resource that is missing or belongs to someone else (never say which). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found'
  constructor(what: 'conversation' | 'message' | 'user' | 'share') {
    super(`${what[0]?.toUpperCase() ?? ''}${what.slice(1)} not found`)
  }
}

/** An answer is still being generated in that conversation. */
export class GenerationInProgressError extends DomainError {
  readonly kind = 'conflict'
  constructor(readonly messageId: string | null) {
    super(
      'An answer is still being generated in this conversation: wait for it to finish or stop it (chat.stop) first.',
    )
  }
}

/** Input that passed the schema but not a business rule (unknown model, …). */
export class InvalidInputError extends DomainError {
  readonly kind = 'invalid'
}

/** A field or request over a configured size limit. */
export class TooLargeError extends DomainError {
  readonly kind = 'too_large'
}

/** A per-user rate or concurrency limit; `retryAfterMs` says when to try again, when known. */
export class RateLimitError extends DomainError {
  readonly kind = 'too_many'
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message)
  }
}

/**
 * A share link that does not answer: unknown, revoked, or its conversation deleted. One
 * message for all three, so a link's holder cannot tell them apart.
 */
export class ShareLinkNotFoundError extends DomainError {
  readonly kind = 'not_found'
  constructor() {
    super('This share link does not exist or is no longer shared')
  }
}

/** The user has spent their budget; the message says the limit and when it resets. */
export class PaymentRequiredError extends DomainError {
  readonly kind = 'payment'
}

/** The server lacks configuration the call needs (e.g. no model provider key). */
export class NotConfiguredError extends DomainError {
  readonly kind = 'precondition'
}

const codeOf: Record<DomainErrorKind, TRPC_ERROR_CODE_KEY> = {
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  invalid: 'BAD_REQUEST',
  too_large: 'PAYLOAD_TOO_LARGE',
  too_many: 'TOO_MANY_REQUESTS',
  precondition: 'PRECONDITION_FAILED',
  unauthorized: 'UNAUTHORIZED',
  payment: 'PAYMENT_REQUIRED',
}

/**
 * The single map from what a service or dependency throws to what a client sees.
 * Unknown errors stay INTERNAL_SERVER_ERROR with a generic message (the cause is logged).
 */
export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error
  if (error instanceof DomainError) {
    return new TRPCError({ code: codeOf[error.kind], message: error.message, cause: error })
  }
  if (error instanceof AuthError) {
    return new TRPCError({ code: 'UNAUTHORIZED', message: error.message, cause: error })
  }
  if (error instanceof InvalidCursorError) {
    return new TRPCError({
      code: 'BAD_REQUEST',
      message: 'cursor: not a cursor this server handed out; start again without one',
      cause: error,
    })
  }
  if (
    error instanceof DiskFullError ||
    (error instanceof Error && error.cause instanceof DiskFullError)
  ) {
    // The operator's problem, not the caller's: which disk and where is in the server's log.
    return new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: "The server's disk is full; try again later.",
      cause: error,
    })
  }
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_MESSAGE, cause: error })
}

const INTERNAL_MESSAGE = 'Internal error'

/** What the error formatter needs of a request's context (absent when the context failed). */
export interface ErrorContext {
  requestId: string
  logger: Logger
}

/** The `data` every error response carries (API.md errors). */
export interface ErrorData {
  code: TRPC_ERROR_CODE_KEY
  httpStatus: number
  path?: string
  /** On INTERNAL_SERVER_ERROR: the id under which the server logged the cause. */
  requestId?: string
  /** On CONFLICT for a turn in progress: the answer still generating. */
  messageId?: string
  /** On TOO_MANY_REQUESTS: when to try again. */
  retryAfterMs?: number
}

/**
 * tRPC's `errorFormatter`: every error a client receives — a call's, or one raised while a
 * subscription iterates (those skip the procedure middleware) — goes through `toTRPCError`
 * here. Never a stack, SQL or library text: an unexpected error is "Internal error" with a
 * request id, and its cause goes to the log under that id.
 */
export function formatError(opts: {
  error: TRPCError
  ctx: ErrorContext | undefined
  path: string | undefined
}): { code: number; message: string; data: ErrorData } {
  const { ctx, path } = opts
  // Idempotent for what the procedure middleware mapped already (its cause is the original).
  const error =
    opts.error.code === 'INTERNAL_SERVER_ERROR'
      ? toTRPCError(opts.error.cause ?? opts.error)
      : opts.error
  const data: ErrorData = {
    code: error.code,
    httpStatus: getHTTPStatusCodeFromError(error),
    ...(path !== undefined ? { path } : {}),
  }
  let message = error.message
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    message = INTERNAL_MESSAGE
    if (ctx !== undefined) {
      data.requestId = ctx.requestId
      ctx.logger.error({ err: error.cause ?? error, path }, 'internal error')
    }
  } else if (error.code === 'PARSE_ERROR' || error.cause instanceof SyntaxError) {
    // tRPC puts the JSON parser's own message here.
    message = 'The request could not be parsed: send JSON in the tRPC format.'
  }
  const cause = error.cause
  if (cause instanceof GenerationInProgressError && cause.messageId !== null)
    data.messageId = cause.messageId
  if (cause instanceof RateLimitError && cause.retryAfterMs !== null)
    data.retryAfterMs = cause.retryAfterMs
  return { code: TRPC_ERROR_CODES_BY_KEY[error.code], message, data }
}

/**
 * Rewrites a failed input parse into a message that names the field ("content: too long…"),
 * and turns an over-long string into PAYLOAD_TOO_LARGE as API.md asks.
 */
export function fromInputError(error: TRPCError): TRPCError {
  const cause = error.cause
  if (!(cause instanceof ZodError)) return error
  const parts = cause.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'input'
    return `${field}: ${issue.message}`
  })
  const tooLarge = cause.issues.some(
    (issue) => issue.code === 'too_big' && (issue.origin === 'string' || issue.origin === 'object'),
  )
  return new TRPCError({
    code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
    message: parts.join('; '),
    cause,
  })
}
