import { tracked } from '@trpc/server'
import { z } from 'zod'
import type { TrackedUserEvent } from '../chat/hub'
import type { UserEvent } from '../shapes'
import { authedProcedure } from '../trpc'
import { lastEventId } from './inputs'

/** The user's change feed: every open device sees conversations and answers change. */
export const eventsProcedure = authedProcedure
  .input(z.object({ lastEventId }).default({}))
  // The feed is registered before the call returns: nothing published afterwards is missed.
  .subscription(async ({ ctx, input, signal }) => {
    const stop = signal ?? new AbortController().signal
    return asTracked(await ctx.deps.hub.subscribe(ctx.user.id, input.lastEventId ?? null, stop))
  })

async function* asTracked(feed: AsyncIterable<TrackedUserEvent>) {
  for await (const item of feed) yield tracked<UserEvent>(item.id, item.event)
}
