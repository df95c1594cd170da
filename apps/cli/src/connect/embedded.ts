import { join } from 'node:path'
import { embeddedStartError } from './embedded-errors'
import { loadFakeUpstream, loadServerModules } from './server-modules'

/** A server started inside the CLI process for this session. */
export interface EmbeddedServer {
  url: string
  /** The data directory it uses (its local signing secret lives there). */
  dataDir: string
  /** The model answers use when none is chosen. */
  defaultModel: string
  /** Whether it can generate answers (has a provider key or is the demo). */
  canAnswer: boolean
  close(): Promise<void>
}

/** Server variables the embedded server must not inherit from the CLI's environment. */
const NOT_INHERITED = [
  'HOST',
  'PORT',
  'SUPABASE_URL',
  'SUPABASE_JWT_SECRET',
  'T3CHAT_DATA_DIR',
  'LOG_LEVEL',
]

/**
 * Starts the t3chat server in this process on 127.0.0.1 with an ephemeral port and local
 * auth. `demo` adds the built-in fake model provider (nothing leaves the machine) and always
 * uses the embedded database.
 * The server's own log goes to `<dataDir>/server.log` so it never garbles the terminal UI.
 */
export async function startEmbeddedServer(opts: {
  source: Readonly<Record<string, string | undefined>>
  dataDir: string
  demo: boolean
}): Promise<EmbeddedServer> {
  // Imported lazily: talking to a running server never loads the server's code.
  const { parseEnv, startServer, EnvError, pino } = await loadServerModules()
  const { dataDir } = opts
  const logFile = join(dataDir, 'server.log')
  const logger = pino(
    { level: 'warn' },
    pino.destination({ dest: logFile, mkdir: true, sync: true }),
  )
  const inherited = Object.fromEntries(
    Object.entries(opts.source).filter(([key]) => !NOT_INHERITED.includes(key)),
  )
  let fake: { baseURL: string; close(): Promise<void> } | null = null
  if (opts.demo) {
    const startFakeUpstream = await loadFakeUpstream()
    fake = await startFakeUpstream({ recordRequests: false })
  }
  try {
    const env = parseEnv({
      ...inherited,
      HOST: '127.0.0.1',
      PORT: '0',
      T3CHAT_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...(fake !== null
        ? {
            OPENROUTER_API_KEY: 'demo',
            OPENROUTER_BASE_URL: fake.baseURL,
            DATABASE_URL: undefined,
            DEFAULT_MODEL: 'fake/slow',
            // An unavailable title model makes the server name conversations after their
            // first words, which reads better in the demo than one fixed title.
            TITLE_MODEL: 'fake/error:status=503',
          }
        : {}),
    })
    const server = await startServer(env, logger)
    return {
      url: server.url,
      dataDir,
      defaultModel: env.DEFAULT_MODEL,
      canAnswer: env.OPENROUTER_API_KEY !== undefined,
      async close() {
        await server.close()
        await fake?.close()
      },
    }
  } catch (error) {
    await fake?.close()
    logger.error({ err: error }, 'the local server did not start')
    throw embeddedStartError({
      error,
      envError: error instanceof EnvError,
      dataDir,
      databaseUrl: !opts.demo && inherited.DATABASE_URL !== undefined,
      logFile,
    })
  }
}
