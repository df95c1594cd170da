import { sql } from 'kysely'
import { HealthSchema } from '../shapes'
import { publicProcedure } from '../trpc'

export const healthRouter = publicProcedure
  .meta({
    summary: 'Liveness: answers ok when the database answers.',
    description: 'A database that does not answer is INTERNAL_SERVER_ERROR, never `status: ok`.',
    errors: {},
  })
  .output(HealthSchema)
  .query(async ({ ctx }) => {
    // A failing database is an error, never `status: 'ok'`.
    await sql`select 1`.execute(ctx.deps.db)
    return { status: 'ok' as const, db: 'ok' as const, version: ctx.deps.config.version }
  })
