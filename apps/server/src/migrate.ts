// `pnpm db:migrate [--down]`: migrates DATABASE_URL, or the embedded database in the data
// directory — the configuration the server itself would use.
import { createDb, embeddedDatabaseDir, migrateDown, migrateToLatest } from '@t3chat/db'
import { EnvError, parseEnv } from './env'

try {
  const env = parseEnv(process.env)
  const db = await createDb(
    env.DATABASE_URL !== undefined
      ? { connectionString: env.DATABASE_URL }
      : { dataDir: embeddedDatabaseDir(env.dataDir) },
  )
  try {
    const steps = await (process.argv.includes('--down') ? migrateDown(db) : migrateToLatest(db))
    for (const step of steps) {
      process.stdout.write(`${step.direction} ${step.migrationName}: ${step.status}\n`)
    }
    if (steps.length === 0) process.stdout.write('Already up to date.\n')
  } finally {
    await db.destroy()
  }
} catch (error) {
  process.stderr.write(
    `t3chat: ${error instanceof EnvError || error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exitCode = 1
}
