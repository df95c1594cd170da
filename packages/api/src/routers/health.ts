import { sql } from 'kysely'
import { HealthSchema } from '../shapes'
import { publicProcedure } from '../trpc'

const REDIS_PING_MS = 1_000

export const healthRouter = publicProcedure
  .meta({
    summary: 'Liveness: answers ok when the database (and Redis, when configured) answers.',
    description:
      'A database that does not answer, or a configured Redis that does not answer within a second, is INTERNAL_SERVER_ERROR, never `status: ok`. `redis` is `off` when the server runs without Redis.',
    errors: {},
  })
  .output(HealthSchema)
  .query(async ({ ctx }) => {
    // A failing database (or a configured Redis that does not answer) is an error, never 'ok'.
    await sql`select 1`.execute(ctx.deps.db)
    const { redis } = ctx.deps
    if (redis !== null) {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('Redis did not answer')), REDIS_PING_MS)
      })
      try {
        await Promise.race([redis.ping(), timeout])
      } finally {
        clearTimeout(timer)
      }
    }
    return {
      status: 'ok' as const,
      db: 'ok' as const,
      redis: redis === null ? ('off' as const) : ('ok' as const),
      version: ctx.deps.config.version,
    }
  })
