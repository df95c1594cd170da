import { z } from 'zod'
import * as conversations from '../services/conversation'
import { authedProcedure, router } from '../trpc'
import { id, modelId, systemPrompt, text, title } from './inputs'

export const conversationRouter = router({
  create: authedProcedure
    .input(
      z.object({
        title: title.optional(),
        systemPrompt: systemPrompt.optional(),
        model: modelId.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.limits.consume('conversationsPerMin', ctx.user.id)
      return conversations.create(ctx.deps, ctx.user, input)
    }),
  list: authedProcedure
    .input(
      z
        .object({
          limit: z.number().int().min(1).max(100).default(20),
          cursor: text(200).nullish(),
        })
        .default({ limit: 20 }),
    )
    .query(({ ctx, input }) =>
      conversations.list(ctx.deps, ctx.user, { limit: input.limit, cursor: input.cursor ?? null }),
    ),
  get: authedProcedure
    .input(z.object({ id }))
    .query(({ ctx, input }) => conversations.get(ctx.deps, ctx.user, input.id)),
  update: authedProcedure
    .input(
      z.object({
        id,
        title: title.nullable().optional(),
        systemPrompt: systemPrompt.nullable().optional(),
        model: modelId.optional(),
        pinned: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => conversations.update(ctx.deps, ctx.user, input)),
  delete: authedProcedure
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => conversations.remove(ctx.deps, ctx.user, input.id)),
})
