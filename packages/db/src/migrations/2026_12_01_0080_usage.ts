import { sql, type Kysely } from 'kysely'

// Frozen in time: this file must never import application code or generated types.

/**
 * Usage, budgets and the user's own provider key.
 *
 * - messages: where an answer's cost came from (`provider` | `estimated`), whose key paid for
 *   it (`server` | `user`) and the provider's generation id (to fetch the cost afterwards).
 * - usage_daily: per user, UTC day, model and key owner, the sums of tokens, cost and answers.
 *   Written by the same statement that saves an answer's end (never per token), so summaries
 *   and budget checks read a few rows per day instead of scanning messages.
 * - users: the operator's budget overrides (USD; null = the server's default), and the user's
 *   provider key encrypted (AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>` base64) with its last 4.
 * - usage_reconciliations: answers whose cost must still be asked of the provider (stopped,
 *   interrupted or failed after tokens), with attempts and the next try; survives restarts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('cost_source', 'text', (c) => c.check(sql`cost_source in ('provider', 'estimated')`))
    .addColumn('key_owner', 'text', (c) => c.check(sql`key_owner in ('server', 'user')`))
    .addColumn('generation_id', 'text')
    .execute()

  await db.schema
    .alterTable('users')
    .addColumn('budget_day_usd', 'numeric(14, 6)')
    .addColumn('budget_month_usd', 'numeric(14, 6)')
    .addColumn('provider_key_secret', 'text')
    .addColumn('provider_key_last4', 'text')
    .addColumn('provider_key_added_at', 'timestamptz')
    .execute()

  await db.schema
    .createTable('usage_daily')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('key_owner', 'text', (c) => c.notNull().check(sql`key_owner in ('server', 'user')`))
    .addColumn('prompt_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('completion_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', 'numeric(20, 10)', (c) => c.notNull().defaultTo(0))
    .addColumn('answers', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_daily_pkey', ['user_id', 'day', 'model', 'key_owner'])
    .execute()

  await db.schema
    .createTable('usage_reconciliations')
    .addColumn('message_id', 'uuid', (c) =>
      c.primaryKey().references('messages.id').onDelete('cascade'),
    )
    .addColumn('generation_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('key_owner', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .createIndex('usage_reconciliations_next_idx')
    .on('usage_reconciliations')
    .column('next_at')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('usage_reconciliations').execute()
  await db.schema.dropTable('usage_daily').execute()
  await db.schema
    .alterTable('users')
    .dropColumn('budget_day_usd')
    .dropColumn('budget_month_usd')
    .dropColumn('provider_key_secret')
    .dropColumn('provider_key_last4')
    .dropColumn('provider_key_added_at')
    .execute()
  await db.schema
    .alterTable('messages')
    .dropColumn('cost_source')
    .dropColumn('key_owner')
    .dropColumn('generation_id')
    .execute()
}
