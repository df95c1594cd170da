import { CliError } from '../errors'

const FS_CODES = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'ENOSPC', 'EEXIST'])
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
])

/** The system or SQLSTATE code of the error or its causes, else one its message names. */
function codeOf(error: unknown): string | undefined {
  const useful = (code: unknown): code is string =>
    typeof code === 'string' && (/^E[A-Z_]+$/.test(code) || /^[0-9A-Z]{5}$/.test(code))
  for (let e = error, depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    if ('code' in e && useful(e.code)) return e.code
    e = 'cause' in e ? e.cause : undefined
  }
  return /\b(E[A-Z_]{4,})\b/.exec(firstLine(error))?.[1]
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return (text.split('\n')[0] ?? text).trim()
}

/** A data directory the embedded server cannot use, naming T3CHAT_DATA_DIR. */
export function dataDirError(dataDir: string, error: unknown): CliError {
  const code = codeOf(error)
  return new CliError(
    `T3CHAT_DATA_DIR=${dataDir} cannot be used${code ? ` (${code})` : ''}: the local server keeps its database and identity there`,
    'Point T3CHAT_DATA_DIR at a writable directory, or run a server elsewhere and set T3CHAT_URL.',
  )
}

/**
 * Why the embedded server did not start, in one line naming the variable to fix; the detail
 * is in `logFile`.
 */
export function embeddedStartError(opts: {
  error: unknown
  /** The server's own configuration error (it names the variable). */
  envError: boolean
  dataDir: string
  databaseUrl: boolean
  logFile: string
}): CliError {
  const { error } = opts
  const details = `Details: ${opts.logFile}`
  if (opts.envError) {
    return new CliError(
      `${firstLine(error)} (for the local server)`,
      `Fix it or unset it. ${details}`,
    )
  }
  const code = codeOf(error)
  if (
    opts.databaseUrl &&
    code !== undefined &&
    (NETWORK_CODES.has(code) || /^[0-9A-Z]{5}$/.test(code))
  ) {
    return new CliError(
      `The local server cannot use the database at DATABASE_URL (${code})`,
      `Fix DATABASE_URL, or unset it for the embedded database. ${details}`,
    )
  }
  if (code !== undefined && FS_CODES.has(code)) {
    const base = dataDirError(opts.dataDir, error)
    return new CliError(base.message, `${base.hint ?? ''} ${details}`)
  }
  return new CliError(
    `Could not start a local t3chat server (${firstLine(error)})`,
    `Start one yourself with \`pnpm start\` and set T3CHAT_URL. ${details}`,
  )
}
