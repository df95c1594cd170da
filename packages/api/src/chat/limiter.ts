/**
 * Per-user concurrency of live answers, behind an interface so that the limit holds across
 * instances when they share Redis. A slot is keyed by the answer's id: taking it twice for
 * one answer is one slot, and releasing an unknown answer is a no-op.
 *
 * This file: the interface and the in-memory implementation (one process).
 */

export type SlotResult = { ok: true } | { ok: false; active: number }

export interface ConcurrencyLimiter {
  /** Takes one of the user's `limit` slots for this answer, atomically; refused when all are taken. */
  acquire(userId: string, answerId: string, limit: number): Promise<SlotResult>
  /** Frees the answer's slot. */
  release(userId: string, answerId: string): Promise<void>
}

export function createMemoryLimiter(): ConcurrencyLimiter {
  const active = new Map<string, Set<string>>()
  return {
    acquire(userId, answerId, limit) {
      let answers = active.get(userId)
      if (answers?.has(answerId) === true) return Promise.resolve({ ok: true })
      if (answers !== undefined && answers.size >= limit)
        return Promise.resolve({ ok: false, active: answers.size })
      if (answers === undefined) active.set(userId, (answers = new Set()))
      answers.add(answerId)
      return Promise.resolve({ ok: true })
    },
    release(userId, answerId) {
      const answers = active.get(userId)
      answers?.delete(answerId)
      if (answers?.size === 0) active.delete(userId)
      return Promise.resolve()
    },
  }
}
