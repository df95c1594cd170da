import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createHTTPHandler } from '@trpc/server/adapters/standalone'
import { applyWSSHandler } from '@trpc/server/adapters/ws'
import type { Logger } from 'pino'
import { WebSocketServer } from 'ws'
import { appRouter, createApi, createContext, openApiDocument, type ApiDeps } from '@t3chat/api'
import { createTokenVerifier, loadOrCreateLocalAuth, type AuthConfig } from '@t3chat/auth'
import { createDb, embeddedDatabaseDir, migrateToLatest } from '@t3chat/db'
import { createModelCatalog, createOpenRouterProvider, createThreadedProvider } from '@t3chat/llm'
import { clientAddress } from './client-address'
import type { Env } from './env'
import { connectRedis, RedisUnreachableError } from './redis'

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

/** Builds every dependency once, migrates, recovers interrupted answers, and listens. */
export async function startServer(env: Readonly<Env>, logger: Logger): Promise<RunningServer> {
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

  let redis
  try {
    redis = env.REDIS_URL === undefined ? null : await connectRedis(env.REDIS_URL, logger)
  } catch (error) {
    if (error instanceof RedisUnreachableError) throw new StartupError(error.message)
    throw error
  }

  const db = await createDb({
    ...(env.DATABASE_URL !== undefined
      ? { connectionString: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
      : { dataDir: embeddedDatabaseDir(env.dataDir) }),
    onPoolError: (error) => logger.warn({ err: error }, 'database connection lost'),
  })
  try {
    await migrateToLatest(db)
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
    providerOptions !== null && env.LLM_THREAD ? createThreadedProvider(providerOptions) : null
  const llm =
    threaded ?? (providerOptions === null ? null : createOpenRouterProvider(providerOptions))
  const api = createApi({
    db,
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
      shareViewsPerMinute: env.SHARE_VIEWS_PER_MIN,
    },
    redis: redis && { client: redis, keyPrefix: env.REDIS_KEY_PREFIX },
  })
  await api.recover()

  const trpc = createHTTPHandler({
    router: appRouter,
    maxBodySize: env.BODY_LIMIT_BYTES,
    // tRPC writes its own `Vary`, replacing the `Vary: Origin` that CORS set: append it back.
    ...(env.CORS_ORIGINS.length > 0
      ? { responseMeta: () => ({ headers: new Headers({ vary: 'Origin' }) }) }
      : {}),
    createContext: ({ req, info }) =>
      createContext({
        deps: api.deps,
        authorization: req.headers.authorization ?? tokenParam(info.connectionParams),
        clientAddress: clientAddress(req, env.TRUST_PROXY),
        logger: requestLogger(logger, req),
      }),
  })
  const cors = corsHeaders(env.CORS_ORIGINS)
  const openapi = openApiRoute(api.deps.config.version)
  const server = createServer((req, res) => {
    if (cors(req, res)) return
    if (openapi(req, res)) return
    trpc(req, res)
  })
  server.keepAliveTimeout = 65_000
  const sockets = new Set<Socket>()
  server.on('connection', (socket) => {
    socket.setNoDelay(true)
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  const wss = new WebSocketServer({ server, maxPayload: env.BODY_LIMIT_BYTES })
  const ws = applyWSSHandler({
    wss,
    router: appRouter,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
    createContext: ({ req, info }) =>
      createContext({
        deps: api.deps,
        authorization: tokenParam(info.connectionParams) ?? req.headers.authorization ?? null,
        clientAddress: clientAddress(req, env.TRUST_PROXY),
        logger: requestLogger(logger, req),
      }),
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

function tokenParam(params: Partial<Record<string, string>> | null | undefined): string | null {
  const token = params?.token
  return typeof token === 'string' && token !== '' ? `Bearer ${token}` : null
}

function requestLogger(logger: Logger, req: IncomingMessage): Logger {
  const header = req.headers['x-request-id']
  const reqId = typeof header === 'string' && header.length <= 100 ? header : randomUUID()
  return logger.child({ reqId })
}

/**
 * `GET /openapi.json`: OpenAPI 3.1 for the queries and mutations, generated from the router on
 * first request (the same document as docs/openapi.json). True when it answered.
 */
function openApiRoute(version: string) {
  let body: string | null = null
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/openapi.json') return false
    body ??= JSON.stringify(openApiDocument(appRouter, { version }))
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' })
    res.end(body)
    return true
  }
}

/** Answers CORS preflights and tags responses for allowed origins; true when it answered. */
function corsHeaders(origins: string[]) {
  const any = origins.includes('*')
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const origin = req.headers.origin
    if (origin === undefined || origins.length === 0 || (!any && !origins.includes(origin)))
      return false
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin)
    res.setHeader('Vary', 'Origin')
    if (req.method !== 'OPTIONS') return false
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
    res.setHeader(
      'Access-Control-Allow-Headers',
      'authorization, content-type, trpc-accept, x-request-id, last-event-id',
    )
    res.setHeader('Access-Control-Max-Age', '600')
    res.writeHead(204).end()
    return true
  }
}
