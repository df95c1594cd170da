import type { PGlite } from '@electric-sql/pglite'
import { DiskFullError } from './errors'

/**
 * Stops using an embedded PGlite once its disk is full.
 *
 * After `No space left on device` in its write-ahead log, a PGlite instance is wedged: the
 * next query spins inside WebAssembly, blocking the event loop (no request, no timer, no
 * SIGTERM gets through), even after space is freed. So the first disk-full error is the last
 * call that reaches it: every later query fails at once with {@link DiskFullError}, closing
 * it is a no-op, and `onDiskFull` tells the owner (once) to stop. The files stay consistent: the
 * next start on that directory recovers from the log as after a crash.
 *
 * Only one query runs at a time (the Kysely dialect serialises them), so nothing is queued
 * inside PGlite behind the failing one.
 */
export function guardDiskFull(
  pglite: PGlite,
  dataDir: string,
  onDiskFull: (error: DiskFullError) => void,
): PGlite {
  let full: DiskFullError | null = null
  const guarded =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (full !== null) throw full
      try {
        return await call(...args)
      } catch (error) {
        if (!isDiskFull(error)) throw error
        full = new DiskFullError(dataDir, { cause: error })
        onDiskFull(full)
        throw full
      }
    }
  const query = guarded(pglite.query.bind(pglite))
  const exec = guarded(pglite.exec.bind(pglite))
  const close = async () => {
    if (full === null) await pglite.close()
  }
  return new Proxy(pglite, {
    get(target, property, receiver) {
      if (property === 'query') return query
      if (property === 'exec') return exec
      if (property === 'close') return close
      return Reflect.get(target, property, receiver) as unknown
    },
  })
}

/** Postgres' `disk_full` (53100), or the operating system's ENOSPC in its words. */
function isDiskFull(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  if ('code' in error && error.code === '53100') return true
  return error instanceof Error && error.message.includes('No space left on device')
}
