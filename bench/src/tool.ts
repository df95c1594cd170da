/** What the development tools (`bench:sse-start`, `bench:steady`, `bench:call-cost`) share. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { killAll } from './children'
import { createDatabase, DEFAULT_ADMIN_URL, dropDatabase } from './postgres'
import { startFakeProcess, startServerProcess, type ServerProcess } from './server-process'

/**
 * A fake upstream and one server (on a fresh Postgres database, or the embedded PGlite) for
 * `run`; everything is stopped and removed afterwards.
 */
export async function withToolServer<T>(
  name: string,
  opts: { pglite: boolean; env?: Record<string, string>; profileDir?: string | null },
  run: (started: { server: ServerProcess; dataDir: string }) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `t3chat-${name}-`))
  const dbName = `t3chat_bench_${process.pid}_${name.replaceAll('-', '')}`
  const databaseUrl = opts.pglite ? null : await createDatabase(DEFAULT_ADMIN_URL, dbName)
  const fake = await startFakeProcess(join(dir, 'fake.log'))
  const dataDir = join(dir, 'data')
  try {
    const server = await startServerProcess({
      databaseUrl,
      dataDir,
      upstreamBaseURL: fake.baseURL,
      logFile: join(dir, 'server.log'),
      ...(opts.env !== undefined ? { env: opts.env } : {}),
      profileDir: opts.profileDir ?? null,
    })
    try {
      return await run({ server, dataDir })
    } finally {
      await server.stop()
    }
  } finally {
    await fake.stop()
    if (databaseUrl !== null) await dropDatabase(DEFAULT_ADMIN_URL, dbName).catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Runs a tool's main; on failure: the error, every child process killed, exit code 1. */
export function runTool(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error)
    killAll()
    process.exitCode = 1
  })
}
