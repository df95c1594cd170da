import { z } from 'zod'
import * as messages from '../services/message'
import { authedProcedure, router } from '../trpc'
import { id, seq } from './inputs'

export const messageRouter = router({
  list: authedProcedure
    .input(
      z.object({
        conversationId: id,
        limit: z.number().int().min(1).max(200).default(50),
        before: seq.optional(),
      }),
    )
    .query(({ ctx, input }) =>
      messages.list(ctx.deps, ctx.user, {
        conversationId: input.conversationId,
        limit: input.limit,
        before: input.before ?? null,
      }),
    ),
})
