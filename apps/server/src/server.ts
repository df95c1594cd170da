import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createHTTPHandler } from '@trpc/server/adapters/standalone'
import { applyWSSHandler } from '@trpc/server/adapters/ws'
import type { Logger } from 'pino'
import { WebSocketServer } from 'ws'
import { appRouter, createApi, createContext, defaultApiConfig, type ApiDeps } from '@t3chat/api'
import { createTokenVerifier, loadOrCreateLocalAuth, type AuthConfig } from '@t3chat/auth'
import { createDb, embeddedDatabaseDir, migrateToLatest } from '@t3chat/db'
import { createModelCatalog, createOpenRouterProvider, createThreadedProvider } from '@t3chat/llm'
import { clientAddress } from './client-address'
import { loadEncryptionKey } from './encryption-key'
import type { Env } from './env'
import {
  corsHeaders,
  openApiRoute,
  originAllowed,
  refuseNonJson,
  requestId,
  tokenParam,
} from './http'
import { createRpcResponder } from './rpc'
import { createSseResponder } from './sse'
import { closeUnauthenticated } from './ws-auth'

/** A running server. */
export interface RunningServer {
  url: string
  port: number
  deps: ApiDeps
  /** Graceful stop: no new connections, live answers saved, subscriptions closed, pool closed. */
  close(): Promise<void>
}

/** Thrown for a configuration that cannot run safely; the message says what to change. */
export class StartupError extends Error {}

/** A failed `listen` in one line naming the port (busy, or not allowed) and what to do. */
function listenError(error: Error, env: Readonly<Env>): Error {
  const code = 'code' in error ? error.code : undefined
  const where = `${env.HOST}:${env.PORT}`
  if (code === 'EADDRINUSE')
    return new StartupError(
      `PORT=${env.PORT}: ${where} is already in use (another t3chat?). Stop it, or start with another PORT (PORT=0 picks a free one).`,
    )
  if (code === 'EACCES')
    return new StartupError(
      `PORT=${env.PORT}: not allowed to listen on ${where}; use a port above 1023.`,
    )
  if (code === 'EADDRNOTAVAIL')
    return new StartupError(`HOST=${env.HOST}: no such address on this machine.`)
  return error
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

/**
 * Builds every dependency once, migrates, recovers interrupted answers, and listens.
 * `onFatal` hears of a failure the server cannot serve through (the embedded database's disk
 * is full): the caller stops it; meanwhile every call fails fast with a clear error.
 */
export async function startServer(
  env: Readonly<Env>,
  logger: Logger,
  onFatal: (message: string) => void = () => undefined,
): Promise<RunningServer> {
  const localMode = env.SUPABASE_URL === undefined
  if (localMode && !LOOPBACK.has(env.HOST) && !env.T3CHAT_ALLOW_REMOTE) {
    throw new StartupError(
      `HOST=${env.HOST}: local auth (no SUPABASE_URL) only listens on loopback; set SUPABASE_URL, or T3CHAT_ALLOW_REMOTE=1 if you really mean to expose it.`,
    )
  }
  const auth: AuthConfig = localMode
    ? { mode: 'local', secret: (await loadOrCreateLocalAuth(env.dataDir)).secret }
    : {
        mode: 'supabase',
        supabaseUrl: env.SUPABASE_URL ?? '',
        jwtSecret: env.SUPABASE_JWT_SECRET ?? null,
      }
  // Loaded only when configured: ioredis is a good part of a start-up that never uses it.
  const redis = env.REDIS_URL === undefined ? null : await openRedis(env.REDIS_URL, logger)

  const db = await createDb({
    ...(env.DATABASE_URL !== undefined
      ? { connectionString: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
      : { dataDir: embeddedDatabaseDir(env.dataDir) }),
    onPoolError: (error) => logger.warn({ err: error }, 'database connection lost'),
    onDiskFull: (error) => {
      logger.error({ dataDir: error.dataDir }, 'embedded database: disk full')
      onFatal(error.message)
    },
  })
  let encryptionKey: Buffer
  try {
    await migrateToLatest(db)
    // Encrypts users' own provider keys (generated into the data dir when unset, one
    // instance). After the database: a data dir it cannot use is reported about the database.
    encryptionKey = await loadEncryptionKey(env.T3CHAT_ENCRYPTION_KEY, env.dataDir).catch(
      (error: unknown) => {
        throw new StartupError(
          `could not keep the encryption key of users' provider keys in ${env.dataDir} (${(error as Error).message}): make T3CHAT_DATA_DIR writable, or set T3CHAT_ENCRYPTION_KEY.`,
        )
      },
    )
  } catch (error) {
    await db.destroy()
    redis?.disconnect()
    throw error
  }

  const providerOptions =
    env.OPENROUTER_API_KEY === undefined
      ? null
      : {
          apiKey: env.OPENROUTER_API_KEY,
          ...(env.OPENROUTER_BASE_URL !== undefined ? { baseURL: env.OPENROUTER_BASE_URL } : {}),
          ...(env.APP_URL !== undefined ? { appUrl: env.APP_URL } : {}),
          appName: env.APP_NAME,
          firstTokenTimeoutMs: env.LLM_FIRST_TOKEN_TIMEOUT_MS,
          idleTimeoutMs: env.LLM_IDLE_TIMEOUT_MS,
        }
  // Reading the upstream streams is most of an answer's CPU: on its own thread it uses the
  // second core instead of competing with the subscribers for the event loop.
  const threaded =
    providerOptions !== null && env.LLM_THREAD
      ? createThreadedProvider(providerOptions, {
          onCrash: (error) => logger.error({ err: error }, 'provider thread died; restarting'),
        })
      : null
  const llm =
    threaded ?? (providerOptions === null ? null : createOpenRouterProvider(providerOptions))
  const api = createApi({
    db,
    accounts: {
      encryptionKey,
      ...(env.OPENROUTER_BASE_URL !== undefined ? { baseURL: env.OPENROUTER_BASE_URL } : {}),
      serverKey: env.OPENROUTER_API_KEY ?? null,
      provider: {
        ...(env.APP_URL !== undefined ? { appUrl: env.APP_URL } : {}),
        appName: env.APP_NAME,
        firstTokenTimeoutMs: env.LLM_FIRST_TOKEN_TIMEOUT_MS,
        idleTimeoutMs: env.LLM_IDLE_TIMEOUT_MS,
      },
    },
    verifier: createTokenVerifier(auth),
    llm,
    models: createModelCatalog({ provider: llm }),
    logger,
    config: {
      defaultModel: env.DEFAULT_MODEL,
      titleModel: env.TITLE_MODEL,
      maxConcurrentGenerationsPerUser: env.MAX_CONCURRENT_GENERATIONS,
      checkpointIntervalMs: env.CHECKPOINT_INTERVAL_MS,
      frameIntervalMs: env.STREAM_FRAME_MS,
      maxPageChars: env.MESSAGE_PAGE_CHARS,
      maxAnswerChars: env.MAX_ANSWER_CHARS,
      subscriptionLimits: {
        perUser: env.MAX_SUBSCRIPTIONS_PER_USER,
        perConnection: env.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      },
      rateLimits: {
        sendsPerMin: env.RATE_LIMIT_SENDS_PER_MIN,
        callsPerMin: env.RATE_LIMIT_CALLS_PER_MIN,
        conversationsPerMin: env.RATE_LIMIT_CONVERSATIONS_PER_MIN,
        shareViewsPerMin: env.SHARE_VIEWS_PER_MIN,
      },
      budgets: {
        ...defaultApiConfig.budgets,
        dayUsd: env.BUDGET_USD_PER_USER_DAY ?? null,
        monthUsd: env.BUDGET_USD_PER_USER_MONTH ?? null,
      },
    },
    redis: redis && { client: redis, keyPrefix: env.REDIS_KEY_PREFIX },
  })
  await api.recover()

  const httpContext = (req: IncomingMessage, params: Partial<Record<string, string>> | null) =>
    createContext({
      deps: api.deps,
      authorization: req.headers.authorization ?? tokenParam(params),
      clientAddress: clientAddress(req, env.TRUST_PROXY),
      requestId: requestId(req),
    })
  const trpc = createHTTPHandler({
    router: appRouter,
    maxBodySize: env.BODY_LIMIT_BYTES,
    maxBatchSize: env.MAX_BATCH_CALLS,
    // tRPC writes its own `Vary`, replacing the `Vary: Origin` that CORS set: append it back.
    ...(env.CORS_ORIGINS.length > 0
      ? { responseMeta: () => ({ headers: new Headers({ vary: 'Origin' }) }) }
      : {}),
    createContext: ({ req, info }) => httpContext(req, info.connectionParams),
  })
  // SSE subscriptions answered without tRPC's fetch-style pipeline (same bytes on the wire).
  const sse = env.SSE_LEAN
    ? createSseResponder({
        router: appRouter,
        ...(env.CORS_ORIGINS.length > 0 ? { headers: { vary: 'Origin' } } : {}),
        createContext: httpContext,
      })
    : () => false
  // Plain queries and mutations answered without tRPC's fetch-style pipeline (same JSON).
  const rpc = env.RPC_LEAN
    ? createRpcResponder({
        router: appRouter,
        createContext: (req) => httpContext(req, null),
        fallback: trpc,
        maxBodySize: env.BODY_LIMIT_BYTES,
        maxBatchSize: env.MAX_BATCH_CALLS,
        ...(env.CORS_ORIGINS.length > 0 ? { headers: { vary: 'Origin' } } : {}),
      })
    : () => false
  const cors = corsHeaders(env.CORS_ORIGINS)
  const openapi = openApiRoute(api.deps.config.version)
  const server = createServer(
    {
      // A client that trickles its headers or body is cut (slow-loris); answers and
      // subscriptions are not: these bound receiving the request only.
      headersTimeout: env.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: env.HTTP_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(1_000, env.HTTP_HEADERS_TIMEOUT_MS),
    },
    (req, res) => {
      if (
        cors(req, res) ||
        openapi(req, res) ||
        refuseNonJson(req, res) ||
        sse(req, res) ||
        rpc(req, res)
      )
        return
      trpc(req, res)
    },
  )
  server.keepAliveTimeout = 65_000
  const sockets = new Set<Socket>()
  server.on('connection', (socket) => {
    socket.setNoDelay(true)
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  const wss = new WebSocketServer({
    server,
    maxPayload: env.BODY_LIMIT_BYTES,
    // The same allowlist as CORS: a page from another origin cannot subscribe either.
    verifyClient: ({ origin }: { origin?: string }) =>
      originAllowed(env.CORS_ORIGINS, origin === '' ? undefined : origin),
  })
  const authenticated = closeUnauthenticated(wss, env.WS_AUTH_TIMEOUT_MS)
  const ws = applyWSSHandler({
    wss,
    router: appRouter,
    maxBatchSize: env.MAX_BATCH_CALLS,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
    createContext: ({ req, res, info }) => {
      const authorization = tokenParam(info.connectionParams) ?? req.headers.authorization ?? null
      authenticated(res, authorization, api.deps.verifier)
      return createContext({
        deps: api.deps,
        authorization,
        clientAddress: clientAddress(req, env.TRUST_PROXY),
        requestId: requestId(req),
      })
    },
  })

  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(listenError(error, env))
    server.once('error', failed)
    // ws re-emits the server's errors on the WebSocketServer: handled above, not a crash.
    wss.once('error', () => undefined)
    server.listen(env.PORT, env.HOST, () => {
      server.off('error', failed)
      resolve()
    })
  }).catch(async (error: unknown) => {
    wss.close()
    await api.close()
    await threaded?.close()
    await db.destroy()
    throw error
  })
  const port = (server.address() as AddressInfo).port
  const host = env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST

  let closing: Promise<void> | null = null
  return {
    url: `http://${host}:${port}`,
    port,
    deps: api.deps,
    close() {
      closing ??= (async () => {
        server.close()
        // Live answers end first (saved as `interrupted`), so their subscribers receive a
        // final event and their streams end cleanly; then the change feeds close.
        await api.close()
        // A WS client moves its subscriptions on the reconnect notice and drops what still
        // arrives on the old socket: let the final events and feed ends go out first (bounded).
        await until(() => api.deps.hub.followers() === 0, 1_000)
        ws.broadcastReconnectNotification()
        for (const client of wss.clients) client.close(1001, 'server shutting down')
        server.closeIdleConnections()
        const deadline = setTimeout(() => {
          for (const socket of sockets) socket.destroy()
        }, env.SHUTDOWN_TIMEOUT_MS)
        await new Promise<void>((resolve) => wss.close(() => resolve()))
        await new Promise<void>((resolve) => server.close(() => resolve()))
        clearTimeout(deadline)
        await threaded?.close()
        await db.destroy()
        await redis?.quit().catch(() => undefined)
      })()
      return closing
    },
  }
}

/** Waits a few ms at least, then until `done()` holds or `timeoutMs` has passed. */
async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  do await new Promise((resolve) => setTimeout(resolve, 5))
  while (!done() && performance.now() < deadline)
}

async function openRedis(url: string, logger: Logger) {
  const { connectRedis, RedisUnreachableError } = await import('./redis')
  try {
    return await connectRedis(url, logger)
  } catch (error) {
    if (error instanceof RedisUnreachableError) throw new StartupError(error.message)
    throw error
  }
}
