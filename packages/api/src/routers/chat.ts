import { z } from 'zod'
import { streamAnswer } from '../chat/follow'
import { regenerate } from '../chat/turns/regenerate'
import { send } from '../chat/turns/send'
import { stop } from '../chat/turns/stop'
import { authedProcedure, router } from '../trpc'
import { id, LIMITS, lastEventId, modelId, systemPrompt } from './inputs'

const content = z
  .string()
  .max(LIMITS.content)
  .refine((text) => text.trim().length > 0, 'must not be empty')

export const chatRouter = router({
  send: authedProcedure
    .input(
      z.object({
        conversationId: id.optional(),
        clientMessageId: id,
        assistantMessageId: id.optional(),
        content,
        model: modelId.optional(),
        systemPrompt: systemPrompt.nullable().optional(),
      }),
    )
    .mutation(({ ctx, input }) => send(ctx.deps, ctx.user, input)),
  stream: authedProcedure
    .input(z.object({ messageId: id, lastEventId }))
    // Access is checked before the first event, so a wrong id fails the call itself.
    .subscription(({ ctx, input, signal }) =>
      streamAnswer(ctx.deps, ctx.user, input, signal ?? new AbortController().signal),
    ),
  stop: authedProcedure
    .input(z.object({ messageId: id }))
    .mutation(({ ctx, input }) => stop(ctx.deps, ctx.user, input.messageId)),
  regenerate: authedProcedure
    .input(z.object({ conversationId: id, clientMessageId: id, model: modelId.optional() }))
    .mutation(({ ctx, input }) => regenerate(ctx.deps, ctx.user, input)),
})
