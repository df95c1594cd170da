import { z } from 'zod'
import { streamAnswer } from '../chat/follow'
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
    'the server has no model provider configured (the message names the variable)',
} as const

export const chatRouter = router({
  send: authedProcedure
    .meta({
      summary: 'Sends a user message and starts the answer.',
      description:
        'Without `conversationId` it creates the conversation (with `systemPrompt` and `model`). With `model`, the conversation switches to it before this answer. Sending the same `clientMessageId` again returns the first result and creates nothing. Pass your own `assistantMessageId` to open `chat.stream` at the same time (one round trip). Upstream model failures do not fail this call: they end the answer with `status: error`.',
      errors: {
        ...startErrors,
        NOT_FOUND: 'the conversation does not exist or is not yours',
        BAD_REQUEST: 'unknown model, or a `clientMessageId` / `assistantMessageId` already used',
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
      summary: 'Answers the last user message again (optionally with another model).',
      description:
        'The previous answer is kept, marked hidden: it leaves `message.list` and the model’s context. The new answer takes the next `seq`.',
      errors: {
        ...startErrors,
        NOT_FOUND: 'the conversation does not exist or is not yours',
        BAD_REQUEST: 'unknown model, a `clientMessageId` already used, or nothing to answer yet',
      },
    })
    .input(z.object({ conversationId: id, clientMessageId: id, model: modelId.optional() }))
    .output(RegenerateResultSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.limits.consume('sendsPerMin', ctx.user.id)
      return regenerate(ctx.deps, ctx.user, input)
    }),
})
