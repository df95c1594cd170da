// `pnpm db:migrate [--down]`: migrates DATABASE_URL, or the embedded database in T3CHAT_DATA_DIR.
import { homedir } from 'node:os'
import { join } from 'node:path'
import { createDb, embeddedDatabaseDir } from '../create-db'
import { migrateDown, migrateToLatest } from '../migrate'

const databaseUrl = process.env.DATABASE_URL || undefined
const dataDir =
  process.env.T3CHAT_DATA_DIR ||
  join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 't3chat')

const db = await createDb(
  databaseUrl ? { connectionString: databaseUrl } : { dataDir: embeddedDatabaseDir(dataDir) },
)
try {
  const down = process.argv.includes('--down')
  const steps = await (down ? migrateDown(db) : migrateToLatest(db))
  for (const step of steps) {
    process.stdout.write(`${step.direction} ${step.migrationName}: ${step.status}\n`)
  }
  if (steps.length === 0) process.stdout.write('Already up to date.\n')
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
} finally {
  await db.destroy()
}
