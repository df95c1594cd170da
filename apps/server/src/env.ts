import { homedir } from 'node:os'
import { z } from 'zod'
import { defaultDataDir } from '@t3chat/auth'

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes')
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
const url = (protocols: string[]) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true
      try {
        return protocols.includes(new URL(v).protocol)
      } catch {
        return false
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  )

/** An amount of US dollars, or unset (no limit). */
const usd = optionalString.pipe(
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be an amount in USD like 5 or 0.50')
    .transform(Number)
    .optional(),
)

/** The server's whole configuration, from the environment (see the README's table). */
const schema = z.object({
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  // An empty PORT= is a mistake, not "any port" (which is PORT=0).
  PORT: z
    .string()
    .refine((v) => v.trim() !== '', 'is empty: unset it for 3000, or set a port number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(65_535))
    .default(3000),
  T3CHAT_DATA_DIR: optionalString,
  T3CHAT_ALLOW_REMOTE: bool.default(false),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DATABASE_POOL_SIZE: int(1, 500).default(10),
  REDIS_URL: url(['redis:', 'rediss:']),
  REDIS_KEY_PREFIX: z.string().trim().min(1).max(100).default('t3chat:'),
  WORKERS: int(1, 256).default(1),
  SUPABASE_URL: url(['https:', 'http:']),
  SUPABASE_JWT_SECRET: optionalString,
  OPENROUTER_API_KEY: optionalString,
  OPENROUTER_BASE_URL: url(['https:', 'http:']),
  APP_URL: url(['https:', 'http:']),
  APP_NAME: z.string().default('t3chat'),
  DEFAULT_MODEL: z.string().trim().min(1).default('openai/gpt-4o-mini'),
  TITLE_MODEL: z.string().trim().min(1).default('openai/gpt-4o-mini'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  BODY_LIMIT_BYTES: int(1_024, 64 * 1024 * 1024).default(1024 * 1024),
  MAX_BATCH_CALLS: int(1, 1_000).default(50),
  MAX_ANSWER_CHARS: int(1_000, 100_000_000).default(1_000_000),
  MESSAGE_PAGE_CHARS: int(100_000, 100_000_000).default(1_000_000),
  WS_AUTH_TIMEOUT_MS: int(100, 600_000).default(5_000),
  MAX_SUBSCRIPTIONS_PER_USER: int(1, 100_000).default(100),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: int(1, 10_000).default(50),
  HTTP_HEADERS_TIMEOUT_MS: int(1_000, 600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: int(1_000, 3_600_000).default(30_000),
  MAX_CONCURRENT_GENERATIONS: int(1, 1_000).default(3),
  RATE_LIMIT_SENDS_PER_MIN: int(0, 1_000_000).default(30),
  RATE_LIMIT_CALLS_PER_MIN: int(0, 1_000_000).default(1_200),
  RATE_LIMIT_CONVERSATIONS_PER_MIN: int(0, 1_000_000).default(30),
  CHECKPOINT_INTERVAL_MS: int(100, 600_000).default(2_000),
  STREAM_FRAME_MS: int(0, 1_000).default(50),
  LLM_FIRST_TOKEN_TIMEOUT_MS: int(1_000, 600_000).default(60_000),
  LLM_IDLE_TIMEOUT_MS: int(1_000, 600_000).default(60_000),
  LLM_THREAD: bool.default(true),
  SSE_LEAN: bool.default(true),
  RPC_LEAN: bool.default(true),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(5_000),
  TRUST_PROXY: int(0, 10).default(0),
  SHARE_VIEWS_PER_MIN: int(1, 1_000_000).default(60),
  BUDGET_USD_PER_USER_DAY: usd,
  BUDGET_USD_PER_USER_MONTH: usd,
  T3CHAT_ENCRYPTION_KEY: optionalString.refine(
    (v) => v === undefined || Buffer.from(v, 'base64').length === 32,
    { message: 'must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)' },
  ),
})

export type Env = z.infer<typeof schema> & { dataDir: string }

/** A bad environment: the message names the variable and what it expects. */
export class EnvError extends Error {}

/** Parses the environment once; throws EnvError with one line per problem. */
export function parseEnv(source: NodeJS.ProcessEnv): Readonly<Env> {
  const result = schema.safeParse(source)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join('.')
      const value = source[name]
      // Connection strings carry passwords: never echo them, even malformed.
      const shown =
        /SECRET|KEY|DATABASE_URL|REDIS_URL/.test(name) || value === undefined
          ? ''
          : ` (got "${value}")`
      return `${name}: ${issue.message}${shown}`
    })
    throw new EnvError(`Invalid configuration: ${lines.join('; ')}`)
  }
  const env = result.data
  if (env.SUPABASE_JWT_SECRET !== undefined && env.SUPABASE_URL === undefined) {
    throw new EnvError(
      'Invalid configuration: SUPABASE_JWT_SECRET is set but SUPABASE_URL is not; set both.',
    )
  }
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    throw new EnvError(
      'Invalid configuration: HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS.',
    )
  }
  if (env.REDIS_URL !== undefined && env.DATABASE_URL === undefined) {
    throw new EnvError(
      'Invalid configuration: REDIS_URL is set but DATABASE_URL is not; the embedded database is one process, so several instances need Postgres (set DATABASE_URL, or unset REDIS_URL).',
    )
  }
  if (env.WORKERS > 1 && env.REDIS_URL === undefined) {
    throw new EnvError(
      `Invalid configuration: WORKERS=${env.WORKERS} needs REDIS_URL (instances share answers, stops and limits through Redis); set REDIS_URL or WORKERS=1.`,
    )
  }
  if (env.REDIS_URL !== undefined && env.T3CHAT_ENCRYPTION_KEY === undefined) {
    throw new EnvError(
      'Invalid configuration: REDIS_URL is set but T3CHAT_ENCRYPTION_KEY is not; instances sharing a database must share the key that encrypts users’ provider keys (set it to 32 random bytes in base64, e.g. `openssl rand -base64 32`).',
    )
  }
  const dataDir =
    env.T3CHAT_DATA_DIR ??
    defaultDataDir({ XDG_DATA_HOME: source.XDG_DATA_HOME, HOME: source.HOME ?? homedir() })
  return Object.freeze({ ...env, dataDir })
}
