import type { TRPC_ERROR_CODE_KEY } from '@trpc/server'
import type { z } from 'zod'

/** The error codes a procedure can declare (the ones every call can get are added for it). */
export type DeclarableErrorCode = Exclude<
  TRPC_ERROR_CODE_KEY,
  'UNAUTHORIZED' | 'INTERNAL_SERVER_ERROR' | 'SERVICE_UNAVAILABLE' | 'PARSE_ERROR'
>

/**
 * What every procedure declares with `.meta()`, so the reference (`pnpm docs`) and
 * /openapi.json can be generated from the router. The reference generator refuses a
 * procedure that lacks `summary` or `errors` (or `events`, for a subscription).
 *
 * @example
 * authedProcedure
 *   .meta({
 *     summary: 'One conversation.',
 *     errors: { NOT_FOUND: 'the conversation does not exist or is not yours' },
 *   })
 *   .input(z.object({ id }))
 *   .output(ConversationSchema)
 *   .query(...)
 */
export interface ProcedureMeta {
  /** Set by the base procedure: whether the call needs a bearer token. */
  auth?: 'bearer' | 'none'
  /** One sentence: what the procedure does. */
  summary?: string
  /** More, when one sentence is not enough (markdown). */
  description?: string
  /**
   * Every error code the procedure returns on purpose, with when. Declare `{}` when there is
   * none: UNAUTHORIZED (authed procedures), BAD_REQUEST and PAYLOAD_TOO_LARGE (invalid input)
   * and INTERNAL_SERVER_ERROR / SERVICE_UNAVAILABLE are added for every procedure they apply to.
   */
  errors?: Partial<Record<DeclarableErrorCode, string>>
  /** Subscriptions: the schema of each event's `data` (events are validated against it in tests). */
  events?: z.ZodType
}
