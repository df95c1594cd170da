import { expect, it } from 'vitest'
import { useHarness } from '../harness'
import { recordExamples } from '../support/examples'
import { sendAndFinish } from '../support/engine'

// A fixed clock and fixed texts: the example's days and costs never change.
const h = useHarness({
  clock: () => new Date('2026-01-15T09:30:00Z'),
  config: { budgets: { dayUsd: null, monthUsd: 5, reservePerAnswerUsd: 0.01 } },
})

// The reference's examples of usage.summary and user.setProviderKey (docs/examples/usage.json).
it('records examples of usage.summary and user.setProviderKey', async () => {
  const examples = recordExamples('usage')
  const { caller } = await h.user()
  await sendAndFinish(caller, { content: 'How far is the Moon?', model: 'fake/lorem:tokens=40' })
  await h.deps.runner.idle()
  const input = {
    from: '2026-01-01T00:00:00Z',
    to: '2026-01-31T23:59:59Z',
    groupBy: 'model' as const,
  }
  const output = await caller.usage.summary(input)
  expect(output.rows).toHaveLength(2)
  examples.add('usage.summary', { input, output })

  const keyInput = { key: 'sk-or-v1-0123456789abcdef0123456789abcdef' }
  const user = await caller.user.setProviderKey(keyInput)
  expect(user.providerKey?.last4).toBe('cdef')
  examples.add('user.setProviderKey', { input: keyInput, output: user })
  await examples.save()
})
