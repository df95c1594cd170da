import { constants } from 'node:fs'
import { access, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { unaccent } from '@electric-sql/pglite/contrib/unaccent'
import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely'
import type { Dialect, LogConfig } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import pg from 'pg'
import type { Database } from './database'
import type { DiskFullError } from './errors'
import { guardDiskFull } from './pglite-guard'
import { prepareStatements } from './prepared'

/** Options for {@link createDb}. */
export interface CreateDbOptions {
  /** Postgres connection string; when set, a `pg` pool is used and `dataDir` is ignored. */
  connectionString?: string
  /** Directory of the embedded PGlite database (created if missing); in memory when unset. */
  dataDir?: string
  /** Maximum connections of the `pg` pool. Default 10. */
  poolSize?: number
  /** Kysely query log: a list of levels or a function receiving every log event. */
  log?: LogConfig
  /**
   * Called when an idle pooled connection fails (e.g. the server restarted). The pool drops the
   * broken connection by itself; without a handler the error is ignored instead of crashing.
   */
  onPoolError?: (error: Error) => void
  /**
   * Called once when the embedded database's disk is full. From then on every query fails with
   * `DiskFullError` and the database is not touched again: stop and start again with space.
   */
  onDiskFull?: (error: DiskFullError) => void
}

const INT8_OID = 20

/**
 * Opens the database: a `pg` pool when `connectionString` is given, otherwise an embedded PGlite
 * (persisted in `dataDir`, or in memory). Identifiers are camelCase in TypeScript and snake_case
 * in SQL. Call `db.destroy()` to close the pool or PGlite. Does not migrate: see `migrateToLatest`.
 *
 * @example
 * const db = await createDb({ connectionString: 'postgres://postgres@127.0.0.1:5432/t3chat' })
 * await migrateToLatest(db)
 * const user = await upsertUser(db, { id: sub, email })
 * await db.destroy()
 */
export async function createDb(opts: CreateDbOptions = {}): Promise<Kysely<Database>> {
  const dialect = opts.connectionString
    ? createPgDialect(opts.connectionString, opts)
    : await createPgliteDialect(opts.dataDir, opts.onDiskFull)
  return new Kysely<Database>({
    dialect,
    // Nested keys stay as stored: user preferences are jsonb and must round-trip untouched.
    plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })],
    ...(opts.log ? { log: opts.log } : {}),
  })
}

/** Where the embedded database lives inside the application's data directory. */
export function embeddedDatabaseDir(dataDir: string): string {
  return join(dataDir, 'db')
}

function createPgDialect(connectionString: string, opts: CreateDbOptions): Dialect {
  // PGlite returns int8 (count(*), sums) as numbers; make pg agree so both backends behave alike.
  const types = new pg.TypeOverrides()
  types.setTypeParser(INT8_OID, (value: string) => Number(value))
  const pool = new pg.Pool({ connectionString, max: opts.poolSize ?? 10, types })
  pool.on('error', (error) => opts.onPoolError?.(error))
  prepareStatements(pool)
  return new PostgresDialect({ pool })
}

async function createPgliteDialect(
  dataDir: string | undefined,
  onDiskFull: ((error: DiskFullError) => void) | undefined,
): Promise<Dialect> {
  if (dataDir === undefined) return new PGliteDialect(await openPglite())
  try {
    // A recursive mkdir on a read-only file system says ENOENT: ask the parent why.
    await mkdir(dataDir, { recursive: true }).catch(async (error: unknown) => {
      await access(dirname(dataDir), constants.W_OK)
      throw error
    })
    // PGlite itself only says "failed to initialize properly": find out first.
    await access(dataDir, constants.R_OK | constants.W_OK)
    const pglite = await openPglite(dataDir)
    return new PGliteDialect(guardDiskFull(pglite, dataDir, onDiskFull ?? (() => undefined)))
  } catch (error) {
    throw new DatabaseDirError(dataDir, error)
  }
}

const REASONS: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a path component is not a directory',
}

/** The embedded database's directory cannot be used; the message names it and why. */
export class DatabaseDirError extends Error {
  override readonly name = 'DatabaseDirError'
  constructor(
    readonly dataDir: string,
    cause: unknown,
  ) {
    const code =
      typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : ''
    const reason = REASONS[code] ?? (cause instanceof Error ? cause.message : String(cause))
    super(
      `the embedded database in ${dataDir} cannot be opened: ${reason}. Make the directory writable (or point T3CHAT_DATA_DIR elsewhere) and start again.`,
      { cause },
    )
  }
}

/**
 * An embedded PGlite with the extensions the migrations need (`unaccent`, for full-text
 * search), persisted in `dataDir` or in memory.
 */
export async function openPglite(dataDir?: string): Promise<PGlite> {
  const options = { extensions: { unaccent }, postgresqlconf: PGLITE_CONF }
  return PGlite.create(dataDir === undefined ? options : { dataDir, ...options })
}

/**
 * Postgres's default 128 MB of shared buffers live in PGlite's WASM memory, all of it resident
 * once touched: the idle embedded server held ~385 MB for the database alone. One user's data
 * is read through the OS page cache as well, so 16 MB is plenty (idle: ~270 MB).
 */
const PGLITE_CONF = ['shared_buffers = 16MB']
