import type { z } from 'zod'
import { appRouter } from '../src/index'
import { eventSchemasOf } from '../src/reference'

const eventSchemas = eventSchemasOf(appRouter)

/**
 * Fails when `data` is not an event some subscription declares: every event a test receives
 * is checked against the published schemas (docs/api.md shows the same ones).
 */
export function checkEvent(data: unknown, schema?: z.ZodType): void {
  const schemas = schema === undefined ? eventSchemas : [schema]
  if (schemas.some((s) => s.safeParse(data).success)) return
  const issues = schemas.map((s) => s.safeParse(data).error?.message).join('\n')
  throw new Error(
    `an event does not match its published schema: ${JSON.stringify(data)}\n${issues}`,
  )
}

/** A tracked event as createCaller yields it: `[id, data, symbol]`. */
export interface Tracked<T> {
  id: string
  data: T
}

/** Reads a subscription to its end (or until `stopAfter` says so). */
export async function collect<T>(
  iterable: AsyncIterable<unknown>,
  stopAfter?: (event: Tracked<T>, all: Tracked<T>[]) => boolean,
): Promise<Tracked<T>[]> {
  const out: Tracked<T>[] = []
  for await (const raw of iterable) {
    const [id, data] = raw as [string, T]
    checkEvent(data)
    const event = { id, data }
    out.push(event)
    if (stopAfter?.(event, out)) break
  }
  return out
}
