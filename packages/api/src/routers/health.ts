import { sql } from 'kysely'
import { publicProcedure } from '../trpc'

export const healthRouter = publicProcedure.query(async ({ ctx }) => {
  // A failing database is an error, never `status: 'ok'`.
  await sql`select 1`.execute(ctx.deps.db)
  return { status: 'ok' as const, db: 'ok' as const, version: ctx.deps.config.version }
})
