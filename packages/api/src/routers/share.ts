import { z } from 'zod'
import * as shares from '../services/share'
import { ShareListSchema, ShareSchema, SharedConversationSchema } from '../shapes'
import { authedProcedure, publicProcedure, router } from '../trpc'
import { id } from './inputs'

const notFound = 'the share does not exist or is not yours'

export const shareRouter = router({
  create: authedProcedure
    .meta({
      summary: 'Creates a public link to a snapshot of a conversation’s path.',
      description:
        'The snapshot is the active path (or the path up to `messageId`, on any branch) as it is now: later messages, edits and renames do not show. Only the token’s hash is stored, so this answer is the only place the token appears. Announced on `events` as `share.created`.',
      errors: {
        NOT_FOUND: 'the conversation, or the message in it, does not exist or is not yours',
      },
    })
    .input(z.object({ conversationId: id, messageId: id.optional() }))
    .output(ShareSchema)
    .mutation(({ ctx, input }) => shares.create(ctx.deps, ctx.user, input)),
  list: authedProcedure
    .meta({
      summary: 'The user’s share links, newest first (optionally of one conversation).',
      errors: {},
    })
    .input(z.object({ conversationId: id.optional() }).default({}))
    .output(ShareListSchema)
    .query(({ ctx, input }) => shares.list(ctx.deps, ctx.user, input)),
  revoke: authedProcedure
    .meta({
      summary: 'Revokes a share link: it answers NOT_FOUND from now on.',
      description:
        'Revoking twice returns the share as it is. Announced on `events` as `share.revoked`.',
      errors: { NOT_FOUND: notFound },
    })
    .input(z.object({ id }))
    .output(ShareSchema)
    .mutation(({ ctx, input }) => shares.revoke(ctx.deps, ctx.user, input.id)),
  /** Public: whoever holds the link reads the snapshot, no user token needed. */
  get: publicProcedure
    .meta({
      summary: 'Reads a shared snapshot. Needs no user token.',
      description:
        'Title, time and the messages’ role, content, model and time only. Rate-limited per client address (`SHARE_VIEWS_PER_MIN`).',
      errors: {
        NOT_FOUND: 'the link is unknown, revoked, or its conversation was deleted (answered alike)',
        TOO_MANY_REQUESTS:
          'too many reads from this address (`data.retryAfterMs` says when to retry)',
      },
    })
    .input(z.object({ token: z.string().min(1, 'must not be empty').max(200) }))
    .output(SharedConversationSchema)
    .query(({ ctx, input }) => shares.view(ctx.deps, ctx.clientAddress, input.token)),
})
