import { describe, expect, it } from 'vitest'
import { useHarness } from './harness'
import { messageRow, stopMidAnswer, waitFor } from './support/engine'

// The reconciler's own loop: it sleeps for an hour when idle here, so a cost that arrives
// within seconds was fetched because the answer's end woke it (and its retry was scheduled).
const h = useHarness({
  config: {
    reconcile: { retryBaseMs: 50, maxDelayMs: 200, maxAttempts: 5, intervalMs: 3_600_000 },
  },
})

describe('the cost reconciler', () => {
  it('is woken by an answer that ends short: the provider’s cost arrives without waiting for the idle interval', async () => {
    const { caller } = await h.user()
    const { stopped } = await stopMidAnswer(caller)
    const id = stopped.id
    expect(stopped.usage?.costSource).toBe('estimated')
    // The fake's generation endpoint answers 404 first: settled on a retry.
    const row = await waitFor(async () => {
      const current = await messageRow(h.db, id)
      return current.costSource === 'provider' ? current : undefined
    }, 'the provider’s cost')
    expect(row.cost).toBeGreaterThan(0)
    const jobs = await h.db
      .selectFrom('usageReconciliations')
      .select('messageId')
      .where('messageId', '=', id)
      .execute()
    expect(jobs).toEqual([])
  })
})
