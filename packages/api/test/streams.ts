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
    const event = { id, data }
    out.push(event)
    if (stopAfter?.(event, out)) break
  }
  return out
}
