import { tracked } from '@trpc/server'
import { z } from 'zod'
import type { TrackedUserEvent } from '../chat/hub'
import { UserEventSchema, type UserEvent } from '../shapes'
import { authedProcedure } from '../trpc'
import { lastEventId } from './inputs'

/** The user's change feed: every open device sees conversations and answers change. */
export const eventsProcedure = authedProcedure
  .meta({
    summary: 'The user’s change feed: conversations and messages as they change.',
    description:
      'Every event is tracked: resubscribe with `lastEventId` to receive the events published since, as far as this server still holds them (the last 200, for two minutes after the feed closed). Answers’ text is not sent here (follow `chat.stream`), only their status changes.',
    errors: {},
    events: UserEventSchema,
  })
  .input(z.object({ lastEventId }).default({}))
  // The feed is registered before the call returns: nothing published afterwards is missed.
  .subscription(async ({ ctx, input, signal }) => {
    const stop = signal ?? new AbortController().signal
    return asTracked(await ctx.deps.hub.subscribe(ctx.user.id, input.lastEventId ?? null, stop))
  })

async function* asTracked(feed: AsyncIterable<TrackedUserEvent>) {
  for await (const item of feed) yield tracked<UserEvent>(item.id, item.event)
}
