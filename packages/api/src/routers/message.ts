import { z } from 'zod'
import * as messages from '../services/message'
import { MessagePageSchema, MessageSiblingsSchema } from '../shapes'
import { authedProcedure, router } from '../trpc'
import { id, seq } from './inputs'

export const messageRouter = router({
  list: authedProcedure
    .meta({
      summary: 'A conversation’s history, newest page first (ascending `seq` within a page).',
      description:
        'The active path only (root → leaf; see conversation.selectBranch), each message with its `parentId` and `branch`. An answer streaming on this server shows its live text.',
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
  siblings: authedProcedure
    .meta({
      summary: 'The messages that share a message’s parent (itself included), in creation order.',
      description:
        'What a client switches between: pass one of them to conversation.selectBranch. Off-path messages are listed too.',
      errors: { NOT_FOUND: 'the message does not exist or is not yours' },
    })
    .input(z.object({ messageId: id }))
    .output(MessageSiblingsSchema)
    .query(({ ctx, input }) => messages.siblings(ctx.deps, ctx.user, input)),
})
