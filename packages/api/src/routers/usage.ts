import { z } from 'zod'
import { usageSummary } from '../services/usage'
import { UsageSummarySchema } from '../shapes'
import { authedProcedure, router } from '../trpc'

const isoTime = z.iso.datetime({ offset: true })

export const usageRouter = router({
  summary: authedProcedure
    .meta({
      summary: 'The user’s tokens and cost per UTC day or per model, with totals and their budget.',
      description:
        '`from`/`to` are ISO date-times, taken as their UTC days, both included (default: this UTC month so far; at most 400 days). Titles count. `budget` is the limit closest to being reached (spending on the user’s own key does not count), or null.',
      errors: { BAD_REQUEST: '`from` is after `to`, or the range is longer than 400 days' },
    })
    .input(
      z
        .object({
          from: isoTime.optional(),
          to: isoTime.optional(),
          groupBy: z.enum(['day', 'model']).optional(),
        })
        .optional(),
    )
    .output(UsageSummarySchema)
    .query(({ ctx, input }) => usageSummary(ctx.deps, ctx.user, input ?? {})),
})
