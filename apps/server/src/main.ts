import { EnvError, parseEnv } from './env'
import { createLogger } from './logger'
import { startServer, StartupError } from './server'

function fail(message: string): never {
  process.stderr.write(`t3chat: ${message}\n`)
  process.exit(1)
}

let env
try {
  env = parseEnv(process.env)
} catch (error) {
  fail(error instanceof EnvError ? error.message : String(error))
}

const logger = createLogger(env.LOG_LEVEL, undefined, process.stdout.isTTY)

try {
  const server = await startServer(env, logger)
  const mode = env.SUPABASE_URL === undefined ? 'local auth' : 'Supabase auth'
  const db = env.DATABASE_URL === undefined ? `embedded database in ${env.dataDir}` : 'Postgres'
  logger.info(
    { url: server.url, auth: mode, db, models: env.OPENROUTER_API_KEY ? 'on' : 'off' },
    'listening',
  )
  process.stdout.write(
    [
      `t3chat is listening on ${server.url} (${mode}, ${db})`,
      env.OPENROUTER_API_KEY === undefined
        ? 'No OPENROUTER_API_KEY: answers are off until you set it (or try `pnpm dev:fake`).'
        : '',
      env.SUPABASE_URL === undefined
        ? `Connect: T3CHAT_URL=${server.url} T3CHAT_DATA_DIR=${env.dataDir} pnpm -s chat\nA token:  TOKEN=$(T3CHAT_DATA_DIR=${env.dataDir} pnpm -s mint-token)`
        : 'Connect with a Supabase access token as "Authorization: Bearer <token>".',
      '',
    ]
      .filter((line, i, all) => line !== '' || i === all.length - 1)
      .join('\n'),
  )
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
} catch (error) {
  if (error instanceof StartupError) fail(error.message)
  const message = error instanceof Error ? error.message : String(error)
  fail(`could not start: ${message}`)
}
