import { isNetworkError } from '../errors'

/**
 * Runs a call again after a network blip (up to `attempts` times). Only for calls that are
 * idempotent on an id chosen once, before the first attempt: a retried request whose first
 * attempt reached the server is then the same operation, not a second one.
 */
export async function withRetries<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (error) {
      if (attempt >= attempts || !isNetworkError(error)) throw error
      await new Promise((resolve) => setTimeout(resolve, 300 * attempt))
    }
  }
}
