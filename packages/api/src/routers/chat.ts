import { z } from 'zod'
import { streamAnswer } from '../chat/follow'
import { regenerate } from '../chat/turns/regenerate'
import { send } from '../chat/turns/send'
import { stop } from '../chat/turns/stop'
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
      return send(ctx.deps, ctx.user, input)
    }),
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
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.limits.consume('sendsPerMin', ctx.user.id)
      return regenerate(ctx.deps, ctx.user, input)
    }),
})
