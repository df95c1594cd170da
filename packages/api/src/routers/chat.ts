import { z } from 'zod'
import { streamAnswer } from '../chat/follow'
import { edit } from '../chat/turns/edit'
import { regenerate } from '../chat/turns/regenerate'
import { send } from '../chat/turns/send'
import { stop } from '../chat/turns/stop'
import { ChatEventSchema, MessageSchema, RegenerateResultSchema, SendResultSchema } from '../shapes'
import { authedProcedure, router } from '../trpc'
import { id, LIMITS, lastEventId, modelId, systemPrompt, text } from './inputs'

const content = text(LIMITS.content).refine((value) => value.trim().length > 0, 'must not be empty')

const startErrors = {
  CONFLICT: 'an answer in that conversation is still `pending` or `streaming`',
  TOO_MANY_REQUESTS: 'the user already has the maximum of answers generating at once',
  PRECONDITION_FAILED:
    'the server has no model provider configured (the message names the variable) and the user has no key of their own',
  PAYMENT_REQUIRED:
    'the user has reached their budget (the message says the limit and when it resets); nothing is stored',
} as const

export const chatRouter = router({
  send: authedProcedure
    .meta({
      summary: 'Sends a user message and starts the answer.',
      description:
        'Without `conversationId` it creates the conversation (with `systemPrompt` and `model`). With `model`, the conversation switches to it before this answer. Sending the same `clientMessageId` again returns the first result and creates nothing. Pass your own `assistantMessageId` to open `chat.stream` at the same time (one round trip). Client-chosen ids are per user: another user’s id works like a fresh one (an `assistantMessageId` another user’s message has gives the answer an id derived from it, the same on a retry; `chat.stream` on the chosen id follows it). Upstream model failures do not fail this call: they end the answer with `status: error`.',
      errors: {
        ...startErrors,
        NOT_FOUND: 'the conversation does not exist or is not yours',
        BAD_REQUEST:
          'unknown model, or a `clientMessageId` / `assistantMessageId` you already used',
      },
    })
    .input(
      z.object({
        conversationId: id.optional(),
        clientMessageId: id.describe('your id for this send: repeating it is idempotent'),
        assistantMessageId: id.optional().describe('the id the answer will get'),
        content,
        model: modelId.optional(),
        systemPrompt: systemPrompt.nullable().optional(),
      }),
    )
    .output(SendResultSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.limits.consume('sendsPerMin', ctx.user.id)
      if (input.conversationId === undefined)
        await ctx.deps.limits.consume('conversationsPerMin', ctx.user.id)
      return send(ctx.deps, ctx.user, input)
    }),
  stream: authedProcedure
    .meta({
      summary: 'Streams an answer: its text as deltas, status changes and the final message.',
      description:
        'Every event is tracked. A `delta`’s id is the content length (UTF-16 code units) after it, so `lastEventId` says how much text you have: a resumed stream first sends one `delta` with everything after it. A finished answer sends its `final` and ends. Deltas may be coalesced, never reordered or lost. The answer id passed to `chat.send` as `assistantMessageId` may be subscribed before that call returns.',
      errors: { NOT_FOUND: 'the message does not exist or is not yours' },
      events: ChatEventSchema,
    })
    .input(z.object({ messageId: id, lastEventId }))
    // Access is checked before the first event, so a wrong id fails the call itself.
    .subscription(({ ctx, input, signal }) =>
      streamAnswer(ctx.deps, ctx.user, input, signal ?? new AbortController().signal),
    ),
  stop: authedProcedure
    .meta({
      summary: 'Stops a live answer, keeping its text (`cancelled`).',
      description: 'An answer that already ended is returned as it is.',
      errors: { NOT_FOUND: 'the message does not exist or is not yours' },
    })
    .input(z.object({ messageId: id }))
    .output(MessageSchema)
    .mutation(({ ctx, input }) => stop(ctx.deps, ctx.user, input.messageId)),
  regenerate: authedProcedure
    .meta({
      summary: 'Answers a question again (the last, or that of `messageId`), as a sibling answer.',
      description:
        'The new answer becomes a sibling of the answers the question already has (`branch` counts them) and the active path moves to it; the previous answers are kept as branches (see conversation.selectBranch). The model sees the active path up to the question, never a sibling. The new answer takes the next `seq`. Repeating `clientMessageId` returns the first result.',
      errors: {
        ...startErrors,
        NOT_FOUND: 'the conversation, or `messageId` in it, does not exist or is not yours',
        BAD_REQUEST:
          'unknown model, a `clientMessageId` you already used, `messageId` is not an answer, or nothing to answer yet',
      },
    })
    .input(
      z.object({
        conversationId: id,
        clientMessageId: id,
        messageId: id.optional().describe('an earlier answer to give again; default the last'),
        model: modelId.optional(),
      }),
    )
    .output(RegenerateResultSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.limits.consume('sendsPerMin', ctx.user.id)
      return regenerate(ctx.deps, ctx.user, input)
    }),
  edit: authedProcedure
    .meta({
      summary: 'Edits a user message: a sibling with the new content, and its answer.',
      description:
        'The new message hangs where the edited one does (`branch` counts them) and the active path moves to it and its answer; the old message and everything after it are kept as a branch (see conversation.selectBranch). The model sees the active path up to the new message. Repeating `clientMessageId` for the same message returns the first result. Announced on `events` as `conversation.updated` and two `message.created`.',
      errors: {
        ...startErrors,
        NOT_FOUND: 'the message does not exist or is not yours',
        BAD_REQUEST:
          'unknown model, a `clientMessageId` you already used, or `messageId` is an answer',
      },
    })
    .input(
      z.object({
        messageId: id.describe('the user message to edit'),
        clientMessageId: id.describe('your id for this edit: repeating it is idempotent'),
        content,
        model: modelId.optional(),
      }),
    )
    .output(SendResultSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.limits.consume('sendsPerMin', ctx.user.id)
      return edit(ctx.deps, ctx.user, input)
    }),
})
