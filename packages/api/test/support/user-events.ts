import { createCaller, createContext, UserEventSchema, type UserEvent } from '../../src/index'
import type { Harness } from '../harness'
import { checkEvent, type Tracked } from '../streams'
import { waitFor } from './engine'

/** A running `events` subscription that records what it receives. */
export interface EventWatch {
  /** Everything received so far, in order. */
  events: Tracked<UserEvent>[]
  /** Waits for the first event (from the start) that `match` accepts. */
  until(match: (event: UserEvent) => boolean, what: string): Promise<Tracked<UserEvent>>
  /** Unsubscribes (aborts the subscription's signal) and waits for it to end. */
  stop(): Promise<void>
}

/**
 * Subscribes to a user's `events` the way a second device would, and resolves once the
 * subscription is registered with the hub (so no event published afterwards can be missed).
 */
export async function watchEvents(
  h: Harness,
  token: string,
  lastEventId?: string,
): Promise<EventWatch> {
  const controller = new AbortController()
  const caller = createCaller(createContext({ deps: h.deps, authorization: `Bearer ${token}` }), {
    signal: controller.signal,
  })
  const iterable: AsyncIterable<unknown> = await caller.events(
    lastEventId === undefined ? {} : { lastEventId },
  )
  const iterator = iterable[Symbol.asyncIterator]()
  const events: Tracked<UserEvent>[] = []
  // The first next() runs the generator up to its first wait: from here on it is subscribed.
  let pending = iterator.next()
  const done = (async () => {
    for (;;) {
      const result = await pending
      if (result.done === true) return
      const [id, data] = result.value as [string, UserEvent]
      checkEvent(data, UserEventSchema)
      events.push({ id, data })
      pending = iterator.next()
    }
  })()
  return {
    events,
    until: (match, what) => waitFor(() => events.find((e) => match(e.data)), what),
    async stop() {
      controller.abort()
      await done
    },
  }
}
