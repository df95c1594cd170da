import { sql, type Kysely } from 'kysely'

// Frozen in time: this file must never import application code or generated types.

/**
 * Row level security on the usage tables, as on every other table. No policies: closes
 * Supabase's public Data API to them; the table owner (the server) is unaffected.
 */
const TABLES = ['usage_daily', 'usage_reconciliations']

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) {
    await sql`alter table ${sql.table(table)} disable row level security`.execute(db)
  }
}
