import type { ChatEvent, Message } from '@t3chat/client'

/** A tracked event as the network links deliver it. */
export interface Tracked<T> {
  id: string
  data: T
}

/** The observer half of a tRPC client subscription, as far as these tests use it. */
export interface Observer<T> {
  onStarted: () => void
  onData: (value: Tracked<T>) => void
  onError: (error: unknown) => void
  onComplete: () => void
  onConnectionStateChange: (state: { state: string; error?: unknown }) => void
}

/** Everything one subscription delivered, with ways to wait for more. */
export interface Recording<T> {
  events: Tracked<T>[]
  errors: unknown[]
  /** Connection states in order ('pending', 'connecting', …) with their errors. */
  states: { state: string; error?: unknown }[]
  completed: boolean
  /** How often the server confirmed the subscription (again after each reconnect). */
  startedCount: number
  /** Resolves once an event satisfies `predicate` (rejects after `timeoutMs`). */
  waitFor(predicate: (event: Tracked<T>) => boolean, timeoutMs?: number): Promise<Tracked<T>>
  /** Resolves when the subscription completes or errors (rejects after `timeoutMs`). */
  settled(timeoutMs?: number): Promise<'completed' | 'error'>
  unsubscribe(): void
}

const open = new Set<{ unsubscribe(): void }>()

/** Unsubscribes every recording still open (call in afterEach, before closing servers). */
export function unsubscribeAll(): void {
  for (const recording of open) recording.unsubscribe()
}

/**
 * Records a real client subscription:
 * `record<ChatEvent>((o) => client.chat.stream.subscribe({ messageId }, o), ChatEventSchema)`.
 */
export function record<T>(
  start: (observer: Observer<T>) => { unsubscribe(): void },
  /** The subscription's published event schema: an event that does not match is an error. */
  schema?: { safeParse(value: unknown): { success: boolean; error?: unknown } },
): Recording<T> {
  const wakers = new Set<() => void>()
  const wake = () => {
    for (const w of wakers) w()
  }
  const recording: Recording<T> = {
    events: [],
    errors: [],
    states: [],
    completed: false,
    startedCount: 0,
    waitFor(predicate, timeoutMs = 10_000) {
      return until(() => recording.events.find(predicate), timeoutMs, 'event')
    },
    async settled(timeoutMs = 10_000) {
      return until(
        () =>
          recording.completed ? 'completed' : recording.errors.length > 0 ? 'error' : undefined,
        timeoutMs,
        'end of subscription',
      )
    },
    unsubscribe() {
      open.delete(recording)
      subscription.unsubscribe()
    },
  }

  function until<R>(check: () => R | undefined, timeoutMs: number, what: string): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const waker = () => {
        const value = check()
        if (value === undefined) return
        cleanup()
        resolve(value)
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify({
              events: recording.events.length,
              errors: recording.errors.map(String),
              completed: recording.completed,
            })}`,
          ),
        )
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        wakers.delete(waker)
      }
      wakers.add(waker)
      waker()
    })
  }

  const subscription = start({
    onStarted() {
      recording.startedCount++
      wake()
    },
    onData(value) {
      const checked = schema?.safeParse(value.data)
      if (checked !== undefined && !checked.success)
        recording.errors.push(
          new Error(`event does not match its schema: ${JSON.stringify(value.data)}`, {
            cause: checked.error,
          }),
        )
      recording.events.push(value)
      wake()
    },
    onError(error) {
      recording.errors.push(error)
      open.delete(recording)
      wake()
    },
    onComplete() {
      recording.completed = true
      open.delete(recording)
      wake()
    },
    onConnectionStateChange(state) {
      recording.states.push(state)
      wake()
    },
  })
  open.add(recording)
  return recording
}

/** The text a chat.stream recording has received through its deltas, in order. */
export function deltaText(events: Tracked<ChatEvent>[]): string {
  return events.map((e) => (e.data.type === 'delta' ? e.data.text : '')).join('')
}

/** The `final` message of a chat.stream recording, if it arrived. */
export function finalMessage(events: Tracked<ChatEvent>[]): Message | undefined {
  for (const e of events) if (e.data.type === 'final') return e.data.message
  return undefined
}

/** Resolves once `check` returns a value (polling), or rejects after `timeoutMs`. */
export async function eventually<R>(
  check: () => R | undefined | Promise<R | undefined>,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<R> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
