import { tracked } from '@trpc/server'
import { z } from 'zod'
import type { UserEvent } from '../shapes'
import { authedProcedure } from '../trpc'
import { lastEventId } from './inputs'

/** The user's change feed: every open device sees conversations and answers change. */
export const eventsProcedure = authedProcedure
  .input(z.object({ lastEventId }).default({}))
  .subscription(async function* ({ ctx, input, signal }) {
    const stop = signal ?? new AbortController().signal
    for await (const item of ctx.deps.hub.subscribe(ctx.user.id, input.lastEventId ?? null, stop)) {
      yield tracked<UserEvent>(item.id, item.event)
    }
  })
