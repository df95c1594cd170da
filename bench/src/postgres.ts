import pg from 'pg'

/** The machine's Postgres (trust auth, user postgres); `BENCH_DATABASE_URL` overrides it. */
export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

/** The admin URL with another database name. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** True when Postgres answers at `adminUrl`. */
export async function postgresReachable(adminUrl: string): Promise<boolean> {
  try {
    await withAdmin(adminUrl, (c) => c.query('select 1'))
    return true
  } catch {
    return false
  }
}

/** The server's version string, e.g. "15.4". */
export async function postgresVersion(adminUrl: string): Promise<string> {
  return withAdmin(adminUrl, async (c) => {
    const result = await c.query<{ server_version: string }>('show server_version')
    return result.rows[0]?.server_version ?? 'unknown'
  })
}

/** Creates an empty database (dropping a leftover of the same name) and returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await withAdmin(adminUrl, async (c) => {
    await c.query(`drop database if exists "${name}" with (force)`)
    await c.query(`create database "${name}"`)
  })
  return databaseUrl(adminUrl, name)
}

/** Drops a database, closing any connection still open to it. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (c) => c.query(`drop database if exists "${name}" with (force)`))
}

/** Drops the databases whose name starts with `prefix` and that `stale` picks (e.g. of killed runs). */
export async function dropLeftovers(
  adminUrl: string,
  prefix: string,
  stale: (name: string) => boolean,
): Promise<string[]> {
  return withAdmin(adminUrl, async (c) => {
    const result = await c.query<{ datname: string }>(
      'select datname from pg_database where datname like $1',
      [`${prefix}%`],
    )
    const names = result.rows.map((r) => r.datname).filter(stale)
    for (const name of names) await c.query(`drop database if exists "${name}" with (force)`)
    return names
  })
}
