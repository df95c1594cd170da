import type { Logger } from 'pino'
import type { Env } from './env'
import { startServer, StartupError } from './server'

/** The lines a person reads when the server is up. */
export function banner(env: Readonly<Env>, url: string): string {
  const mode = env.SUPABASE_URL === undefined ? 'local auth' : 'Supabase auth'
  const db = env.DATABASE_URL === undefined ? `embedded database in ${env.dataDir}` : 'Postgres'
  const workers =
    env.WORKERS > 1 ? `, ${env.WORKERS} workers, Redis` : env.REDIS_URL ? ', Redis' : ''
  return [
    `t3chat is listening on ${url} (${mode}, ${db}${workers})`,
    env.OPENROUTER_API_KEY === undefined
      ? 'No OPENROUTER_API_KEY: answers are off until you set it (or try `pnpm dev:fake`).'
      : '',
    env.SUPABASE_URL === undefined
      ? `Connect: T3CHAT_URL=${url} T3CHAT_DATA_DIR=${env.dataDir} pnpm -s chat\nA token:  TOKEN=$(T3CHAT_DATA_DIR=${env.dataDir} pnpm -s mint-token)`
      : 'Connect with a Supabase access token as "Authorization: Bearer <token>".',
    '',
  ]
    .filter((line, i, all) => line !== '' || i === all.length - 1)
    .join('\n')
}

/**
 * Runs one server process until SIGINT/SIGTERM, then stops it gracefully. `quiet`: a cluster
 * worker, whose primary prints the banner once for all.
 */
export async function runInstance(
  env: Readonly<Env>,
  logger: Logger,
  fail: (message: string) => never,
  quiet: boolean,
): Promise<void> {
  // Before the server is up, a fatal failure also fails the start, which says so (below).
  let onFatal = (_message: string) => undefined as void
  try {
    const server = await startServer(env, logger, (message) => onFatal(message))
    logger.info(
      {
        url: server.url,
        auth: env.SUPABASE_URL === undefined ? 'local auth' : 'Supabase auth',
        db: env.DATABASE_URL === undefined ? 'embedded' : 'Postgres',
        models: env.OPENROUTER_API_KEY ? 'on' : 'off',
      },
      'listening',
    )
    if (!quiet) process.stdout.write(banner(env, server.url))
    let stopping = false
    const stop = (reason: string, code: number) => {
      if (stopping) return
      stopping = true
      logger.info({ reason }, 'shutting down')
      // Bounded: whatever hangs in the shutdown, the process ends.
      setTimeout(() => process.exit(code === 0 ? 1 : code), env.SHUTDOWN_TIMEOUT_MS + 5_000).unref()
      server.close().then(
        () => process.exit(code),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed')
          process.exit(1)
        },
      )
    }
    onFatal = (message) => {
      process.stderr.write(`t3chat: ${message}\n`)
      stop('fatal', 1)
    }
    process.on('SIGINT', () => stop('SIGINT', 0))
    process.on('SIGTERM', () => stop('SIGTERM', 0))
  } catch (error) {
    if (error instanceof StartupError) fail(error.message)
    const message = error instanceof Error ? error.message : String(error)
    fail(`could not start: ${message}`)
  }
}
