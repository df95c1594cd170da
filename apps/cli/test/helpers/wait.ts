import { stripVTControlCharacters } from 'node:util'

/** Polls `check` until it returns a truthy value (returned) or the time runs out (throws with `describe()`). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; describe?: () => string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000)
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) {
      throw new Error(`waitFor timed out${opts.describe ? `:\n${opts.describe()}` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 20))
  }
}

/** Text without ANSI styling and with all whitespace runs collapsed (wrapping-independent). */
export function flat(text: string | undefined): string {
  return stripVTControlCharacters(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
}

/** Text without ANSI styling and without any whitespace, to compare wrapped screens with stored text. */
export function squash(text: string | undefined): string {
  return stripVTControlCharacters(text ?? '').replace(/\s+/g, '')
}
