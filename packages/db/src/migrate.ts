import { inspect } from 'node:util'
import { Migrator, NO_MIGRATIONS } from 'kysely'
import type { Kysely, MigrationResult, MigrationResultSet } from 'kysely'
import { MigrationError } from './errors'
import { migrations } from './migrations/index'

/** One migration that ran (or was skipped because an earlier one failed). */
export type MigrationStep = MigrationResult

function createMigrator<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({
    // Migrations are written against plain snake_case SQL, so they run without our plugins.
    db: db.withoutPlugins(),
    provider: { getMigrations: () => Promise.resolve(migrations) },
  })
}

function unwrap(result: MigrationResultSet, direction: string): MigrationStep[] {
  if (result.error === undefined) return [...(result.results ?? [])]
  const failed = result.results?.find((r) => r.status === 'Error')?.migrationName
  const reason = result.error instanceof Error ? result.error.message : inspect(result.error)
  throw new MigrationError(
    failed
      ? `Migration ${failed} failed (${direction}): ${reason}`
      : `Migrating ${direction} failed: ${reason}`,
    failed,
    { cause: result.error },
  )
}

/**
 * Applies every pending migration, in one transaction, under Kysely's Postgres advisory lock
 * (so concurrent starts of several instances apply the schema once). Returns the migrations
 * that ran (empty when already up to date); throws a `MigrationError` naming the one that failed.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<MigrationStep[]> {
  return unwrap(await createMigrator(db).migrateToLatest(), 'up')
}

/** Reverts every migration (drops the whole schema). For tests and development only. */
export async function migrateDown<DB>(db: Kysely<DB>): Promise<MigrationStep[]> {
  return unwrap(await createMigrator(db).migrateTo(NO_MIGRATIONS), 'down')
}
