import { z } from 'zod'
import * as conversations from '../services/conversation'
import { ConversationPageSchema, ConversationSchema } from '../shapes'
import { authedProcedure, router } from '../trpc'
import { id, modelId, systemPrompt, text, title } from './inputs'

const notFound = 'the conversation does not exist or is not yours'
const unknownModel = '`model` is not in the provider’s catalog (see model.list)'

export const conversationRouter = router({
  create: authedProcedure
    .meta({
      summary: 'Creates an empty conversation.',
      description:
        'The model defaults to the user’s `defaultModel`, then the server’s. Announced on `events` as `conversation.created`.',
      errors: { BAD_REQUEST: unknownModel },
    })
    .input(
      z.object({
        title: title.optional(),
        systemPrompt: systemPrompt.optional(),
        model: modelId.optional(),
      }),
    )
    .output(ConversationSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.limits.consume('conversationsPerMin', ctx.user.id)
      return conversations.create(ctx.deps, ctx.user, input)
    }),
  list: authedProcedure
    .meta({
      summary: 'The user’s conversations, newest activity first (keyset pages).',
      errors: { BAD_REQUEST: '`cursor` is not one this server handed out' },
    })
    .input(
      z
        .object({
          limit: z.number().int().min(1).max(100).default(20),
          cursor: text(200).nullish().describe('`nextCursor` of the previous page'),
        })
        .default({ limit: 20 }),
    )
    .output(ConversationPageSchema)
    .query(({ ctx, input }) =>
      conversations.list(ctx.deps, ctx.user, { limit: input.limit, cursor: input.cursor ?? null }),
    ),
  get: authedProcedure
    .meta({ summary: 'One conversation.', errors: { NOT_FOUND: notFound } })
    .input(z.object({ id }))
    .output(ConversationSchema)
    .query(({ ctx, input }) => conversations.get(ctx.deps, ctx.user, input.id)),
  update: authedProcedure
    .meta({
      summary: 'Renames, re-prompts, switches the model of, or pins a conversation.',
      description:
        'Only the fields given change; `title: null` lets a title be generated again. Announced on `events` as `conversation.updated`.',
      errors: { NOT_FOUND: notFound, BAD_REQUEST: unknownModel },
    })
    .input(
      z.object({
        id,
        title: title.nullable().optional(),
        systemPrompt: systemPrompt.nullable().optional(),
        model: modelId.optional(),
        pinned: z.boolean().optional(),
      }),
    )
    .output(ConversationSchema)
    .mutation(({ ctx, input }) => conversations.update(ctx.deps, ctx.user, input)),
  delete: authedProcedure
    .meta({
      summary: 'Deletes a conversation and its messages (a live answer is stopped first).',
      errors: { NOT_FOUND: notFound },
    })
    .input(z.object({ id }))
    .output(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => conversations.remove(ctx.deps, ctx.user, input.id)),
})
