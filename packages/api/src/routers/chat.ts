import { z } from 'zod'
import { authedProcedure, router } from '../trpc'
import { id, LIMITS, lastEventId, modelId, systemPrompt, text } from './inputs'

const content = text(LIMITS.content).refine((value) => value.trim().length > 0, 'must not be empty')

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
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.limits.consume('sendsPerMin', ctx.user.id)
      if (input.conversationId === undefined)
        await ctx.deps.limits.consume('conversationsPerMin', ctx.user.id)
      return ctx.deps.engine.send(ctx.user, input)
    }),
  stream: authedProcedure
    .input(z.object({ messageId: id, lastEventId }))
    // Access is checked before the first event, so a wrong id fails the call itself.
    .subscription(({ ctx, input, signal }) =>
      ctx.deps.engine.stream(ctx.user, input, signal ?? new AbortController().signal),
    ),
  stop: authedProcedure
    .input(z.object({ messageId: id }))
    .mutation(({ ctx, input }) => ctx.deps.engine.stop(ctx.user, input.messageId)),
  regenerate: authedProcedure
    .input(z.object({ conversationId: id, clientMessageId: id, model: modelId.optional() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.limits.consume('sendsPerMin', ctx.user.id)
      return ctx.deps.engine.regenerate(ctx.user, input)
    }),
})
