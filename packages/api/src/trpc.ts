import { randomUUID } from 'node:crypto'
import { initTRPC, TRPCError } from '@trpc/server'
import type { Logger } from 'pino'
import { bearerToken, type AuthUser } from '@t3chat/auth'
import { formatError, fromInputError, toTRPCError } from './errors'
import type { ApiDeps } from './deps'
import type { ProcedureMeta } from './reference/meta'
import { ensureUser } from './services/user'
import type { ConnectionCount } from './subscriptions'

// ---------------------------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------------------------

/** What every procedure sees. Built per request (HTTP) or per connection (WebSocket). */
export interface Context {
  deps: ApiDeps
  /** The raw `Authorization` value (or the token from connection params); verified lazily. */
  authorization: string | null
  /** The caller's network address (the server decides whether to trust proxy headers). */
  clientAddress: string | null
  /** Names the request in the log; an internal error's response carries it. */
  requestId: string
  /** Subscriptions open on this context's connection (one WebSocket shares one context). */
  connection: ConnectionCount
  logger: Logger
}

/**
 * Builds a context from injected dependencies. The HTTP adapter wraps this; tests call it
 * directly: `appRouter.createCaller(createContext({ deps, authorization: 'Bearer …' }))`.
 */
export function createContext(opts: {
  deps: ApiDeps
  authorization?: string | null
  clientAddress?: string | null
  requestId?: string
  logger?: Logger
}): Context {
  const requestId = opts.requestId ?? randomUUID()
  return {
    deps: opts.deps,
    authorization: opts.authorization ?? null,
    clientAddress: opts.clientAddress ?? null,
    requestId,
    connection: { open: 0 },
    logger: opts.logger ?? opts.deps.logger.child({ reqId: requestId }),
  }
}

// ---------------------------------------------------------------------------------------------
// Initialisation
// ---------------------------------------------------------------------------------------------

// Plain JSON on the wire (no transformer): every date is an ISO string already, so other
// people's clients in any language read our responses as they are.
// Every procedure documents itself in `.meta()` (reference/meta.ts): docs/api.md and
// /openapi.json are generated from the router.
const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // tRPC adds the error's stack to responses unless NODE_ENV is 'production': never send it.
    isDev: false,
    errorFormatter: ({ error, ctx, path }) => formatError({ error, ctx, path }),
    sse: {
      ping: { enabled: true, intervalMs: 15_000 },
      client: { reconnectAfterInactivityMs: 20_000 },
    },
  })

export const router = t.router
export const createCallerFactory = t.createCallerFactory

// ---------------------------------------------------------------------------------------------
// Procedures
// ---------------------------------------------------------------------------------------------

/**
 * Maps domain errors to tRPC codes (the one place: errors.ts) and logs each call without
 * tokens or message content. Input parsing runs inside this middleware, so its failures are
 * rewritten here too.
 */
const observed = t.middleware(async function observe({ ctx, path, type, next }) {
  const started = performance.now()
  const result = await next()
  if (result.ok) {
    ctx.logger.debug({ path, type, ms: Math.round(performance.now() - started) }, 'call')
    return result
  }
  const error =
    result.error.code === 'BAD_REQUEST'
      ? fromInputError(result.error)
      : result.error.code === 'INTERNAL_SERVER_ERROR'
        ? toTRPCError(result.error.cause ?? result.error)
        : result.error
  // Internal errors are logged with their cause by the error formatter (errors.ts).
  if (error.code !== 'INTERNAL_SERVER_ERROR')
    ctx.logger.info(
      { path, type, ms: Math.round(performance.now() - started), code: error.code },
      'call rejected',
    )
  throw error
})

export const publicProcedure = t.procedure.use(observed).meta({ auth: 'none' })

/** Verifies the bearer token and creates the user row on first use; `ctx.user` is non-null. */
export const authedProcedure = publicProcedure
  .meta({ auth: 'bearer' })
  .use(async function isAuthed({ ctx, type, next }) {
    let user: AuthUser
    try {
      user = await ctx.deps.verifier.verify(bearerToken(ctx.authorization))
    } catch (error) {
      throw toTRPCError(error)
    }
    await ctx.deps.limits.consume('callsPerMin', user.id)
    await ensureUser(ctx.deps, user)
    const result = await next({ ctx: { user, logger: ctx.logger.child({ userId: user.id }) } })
    if (type !== 'subscription' || !result.ok || !isAsyncIterable(result.data)) return result
    // Capped, and ended with UNAUTHORIZED when the token expires.
    const data = ctx.deps.subscriptions(result.data, {
      userId: user.id,
      expiresAt: user.expiresAt,
      connection: ctx.connection,
    })
    return { ...result, data }
  })

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value
}

export { TRPCError }
