import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import * as z from 'zod'
import { defaultDataDir } from '@t3chat/auth'
import { CliError } from '../errors'
import type { Role } from './file'

/** Where the CLI looks for a server when neither `--url` nor `T3CHAT_URL` says otherwise. */
export const DEFAULT_URL = 'http://127.0.0.1:3000'

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))

const httpUrl = optionalString.refine(
  (v) => {
    if (v === undefined) return true
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol)
    } catch {
      return false
    }
  },
  { message: 'must be a URL starting with http:// or https://' },
)

const schema = z.object({
  T3CHAT_URL: httpUrl,
  T3CHAT_TRANSPORT: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim().toLowerCase()))
    .pipe(z.enum(['sse', 'ws']).optional()),
  T3CHAT_DATA_DIR: optionalString,
  XDG_DATA_HOME: optionalString,
  XDG_CONFIG_HOME: optionalString,
  HOME: optionalString,
  SUPABASE_URL: httpUrl,
  SUPABASE_ANON_KEY: optionalString,
  OPENROUTER_API_KEY: optionalString,
  NO_COLOR: optionalString,
})

/** The CLI's configuration from the environment (flags override it). */
export interface CliEnv {
  /** The server URL when one was configured explicitly; undefined means "the local default". */
  url: string | undefined
  transport: 'sse' | 'ws' | undefined
  /** The local data directory (embedded database and the local signing secret). */
  dataDir: string
  /** `$XDG_CONFIG_HOME/t3chat` or `~/.config/t3chat`: where a Supabase session is kept. */
  configDir: string
  supabase: { url: string; anonKey: string } | null
  /** Whether OPENROUTER_API_KEY is set (an embedded server can answer then). */
  hasOpenRouterKey: boolean
  noColor: boolean
  /** The default model from the config file (flags and roles override it). */
  model: string | undefined
  /** Named roles from the config file. */
  roles: Readonly<Record<string, Role>>
  /** The raw environment, passed on to an embedded server. */
  source: Readonly<Record<string, string | undefined>>
}

/** A bad environment variable; the message names it (exit code 2). */
export class CliEnvError extends CliError {
  constructor(message: string) {
    super(message, null, 2)
  }
}

/** Parses the CLI's environment once. Throws {@link CliEnvError} naming the bad variable. */
export function parseCliEnv(source: Readonly<Record<string, string | undefined>>): CliEnv {
  const result = schema.safeParse(source)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join('.')
      const value = source[name]
      const shown = name.includes('KEY') || value === undefined ? '' : ` (got "${value}")`
      return `${name}: ${issue.message}${shown}`
    })
    throw new CliEnvError(`Invalid configuration: ${lines.join('; ')}`)
  }
  const env = result.data
  const home = env.HOME ?? homedir()
  const configBase =
    env.XDG_CONFIG_HOME !== undefined && isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : join(home, '.config')
  return Object.freeze({
    url: env.T3CHAT_URL,
    transport: env.T3CHAT_TRANSPORT,
    dataDir:
      env.T3CHAT_DATA_DIR ?? defaultDataDir({ XDG_DATA_HOME: env.XDG_DATA_HOME, HOME: home }),
    configDir: join(configBase, 't3chat'),
    supabase:
      env.SUPABASE_URL !== undefined && env.SUPABASE_ANON_KEY !== undefined
        ? { url: env.SUPABASE_URL, anonKey: env.SUPABASE_ANON_KEY }
        : null,
    hasOpenRouterKey: env.OPENROUTER_API_KEY !== undefined,
    noColor: env.NO_COLOR !== undefined,
    model: undefined,
    roles: {},
    source,
  })
}
