import { z } from 'zod'
import * as branches from '../services/branches'
import * as conversations from '../services/conversation'
import { exportConversation } from '../services/transfer/export-conversation'
import { importConversation } from '../services/transfer/import-conversation'
import { authedProcedure, router } from '../trpc'
import { id, modelId, systemPrompt, title } from './inputs'

export const conversationRouter = router({
  create: authedProcedure
    .input(
      z.object({
        title: title.optional(),
        systemPrompt: systemPrompt.optional(),
        model: modelId.optional(),
      }),
    )
    .mutation(({ ctx, input }) => conversations.create(ctx.deps, ctx.user, input)),
  list: authedProcedure
    .input(
      z
        .object({
          limit: z.number().int().min(1).max(100).default(20),
          cursor: z.string().max(200).nullish(),
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
  selectBranch: authedProcedure
    .input(z.object({ conversationId: id, messageId: id }))
    .mutation(({ ctx, input }) => branches.selectBranch(ctx.deps, ctx.user, input)),
  fork: authedProcedure
    .input(z.object({ messageId: id }))
    .mutation(({ ctx, input }) => branches.fork(ctx.deps, ctx.user, input)),
  export: authedProcedure
    .input(z.object({ id, format: z.enum(['json', 'markdown']) }))
    .query(({ ctx, input }) => exportConversation(ctx.deps, ctx.user, input)),
  /** ONE conversation per call (a big export file is split by the client). */
  import: authedProcedure
    .input(z.object({ format: z.enum(['t3chat', 'chatgpt']), data: z.unknown() }))
    .mutation(({ ctx, input }) => importConversation(ctx.deps, ctx.user, input)),
})
