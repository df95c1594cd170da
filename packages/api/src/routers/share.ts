import { z } from 'zod'
import * as shares from '../services/share'
import { authedProcedure, publicProcedure, router } from '../trpc'
import { id } from './inputs'

export const shareRouter = router({
  create: authedProcedure
    .input(z.object({ conversationId: id, messageId: id.optional() }))
    .mutation(({ ctx, input }) => shares.create(ctx.deps, ctx.user, input)),
  list: authedProcedure
    .input(z.object({ conversationId: id.optional() }).default({}))
    .query(({ ctx, input }) => shares.list(ctx.deps, ctx.user, input)),
  revoke: authedProcedure
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => shares.revoke(ctx.deps, ctx.user, input.id)),
  /** Public: whoever holds the link reads the snapshot, no user token needed. */
  get: publicProcedure
    .input(z.object({ token: z.string().min(1, 'must not be empty').max(200) }))
    .query(({ ctx, input }) => shares.view(ctx.deps, ctx.clientAddress, input.token)),
})
