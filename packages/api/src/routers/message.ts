import { z } from 'zod'
import * as messages from '../services/message'
import { MessagePageSchema } from '../shapes'
import { authedProcedure, router } from '../trpc'
import { id, seq } from './inputs'

export const messageRouter = router({
  list: authedProcedure
    .meta({
      summary: 'A conversation’s history, newest page first (ascending `seq` within a page).',
      description:
        'An answer streaming on this server shows its live text. Regenerated (hidden) answers are left out.',
      errors: { NOT_FOUND: 'the conversation does not exist or is not yours' },
    })
    .input(
      z.object({
        conversationId: id,
        limit: z.number().int().min(1).max(200).default(50),
        before: seq
          .optional()
          .describe('only messages with a lower `seq` (`nextBefore` of the previous page)'),
      }),
    )
    .output(MessagePageSchema)
    .query(({ ctx, input }) =>
      messages.list(ctx.deps, ctx.user, {
        conversationId: input.conversationId,
        limit: input.limit,
        before: input.before ?? null,
      }),
    ),
})
