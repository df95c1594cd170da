import { z } from 'zod'
import * as branches from '../services/branches'
import * as conversations from '../services/conversation'
import {
  ConversationPageSchema,
  ConversationSchema,
  ExportFileSchema,
  ImportResultSchema,
} from '../shapes'
import { exportConversation } from '../services/transfer/export-conversation'
import { importConversation } from '../services/transfer/import-conversation'
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
  selectBranch: authedProcedure
    .meta({
      summary: 'Moves the active path through a message, down to the newest leaf beneath it.',
      description:
        '`message.list`, `messageCount`, `preview` and the next answer’s context follow the new path; nothing is deleted. Announced on `events` as `conversation.updated`.',
      errors: {
        NOT_FOUND: 'the conversation, or the message in it, does not exist or is not yours',
        CONFLICT: 'an answer in that conversation is still `pending` or `streaming`',
      },
    })
    .input(z.object({ conversationId: id, messageId: id }))
    .output(ConversationSchema)
    .mutation(({ ctx, input }) => branches.selectBranch(ctx.deps, ctx.user, input)),
  fork: authedProcedure
    .meta({
      summary: 'A new conversation holding a copy of the path up to a message.',
      description:
        'Any message, on any branch. The copy keeps the title, system prompt and model; its messages are numbered from 1. Announced on `events` as `conversation.created`.',
      errors: {
        NOT_FOUND: 'the message does not exist or is not yours',
        CONFLICT: 'an answer in the source conversation is still `pending` or `streaming`',
      },
    })
    .input(z.object({ messageId: id }))
    .output(ConversationSchema)
    .mutation(({ ctx, input }) => branches.fork(ctx.deps, ctx.user, input)),
  export: authedProcedure
    .meta({
      summary: 'Exports a conversation as a file: `json` (t3chat v1, every branch) or `markdown`.',
      description:
        '`json` is `{ format: "t3chat", version: 1, conversation, messages }` with every branch (`parentId`), the system prompt, models, usage and times; importing it gives the same tree. `markdown` is the active path, readable, code blocks intact.',
      errors: { NOT_FOUND: notFound },
    })
    .input(z.object({ id, format: z.enum(['json', 'markdown']) }))
    .output(ExportFileSchema)
    .query(({ ctx, input }) => exportConversation(ctx.deps, ctx.user, input)),
  /** ONE conversation per call (a big export file is split by the client). */
  import: authedProcedure
    .meta({
      summary:
        'Imports ONE conversation: a t3chat export or one element of ChatGPT’s conversations.json.',
      description:
        'ChatGPT’s `mapping` tree becomes branches and `current_node` the active leaf, times kept; system, tool and hidden nodes and non-text parts are skipped and counted. Importing the same source conversation again returns the first import (`duplicate: true`). Nothing is written unless all of it is. A big export file is split by the client (`importExportFile` in @t3chat/client).',
      errors: {
        BAD_REQUEST:
          'the data is malformed: the message names the first bad path (e.g. `mapping.abc.parent`)',
      },
    })
    .input(z.object({ format: z.enum(['t3chat', 'chatgpt']), data: z.unknown() }))
    .output(ImportResultSchema)
    .mutation(({ ctx, input }) => importConversation(ctx.deps, ctx.user, input)),
})
