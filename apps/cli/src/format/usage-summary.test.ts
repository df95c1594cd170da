import { describe, expect, it } from 'vitest'
import { formatUsageSummary, transcriptCost, type UsageSummary } from './usage-summary'

const row = (key: string, cost: number) => ({
  key,
  cost,
  promptTokens: 1000,
  completionTokens: 500,
  answers: 2,
})

describe('usage summary format', () => {
  it('a row per day with a bar scaled to the dearest day, the total, and the budget', () => {
    const summary: UsageSummary = {
      cost: 0.03,
      promptTokens: 2000,
      completionTokens: 1000,
      answers: 4,
      rows: [row('2026-03-01', 0.02), row('2026-03-02', 0.01)],
      budget: {
        period: 'month',
        limitUsd: 5,
        spentUsd: 0.03,
        resetsAt: '2026-04-01T00:00:00.000Z',
      },
    }
    const lines = formatUsageSummary(summary, 'day')
    expect(lines[0]).toMatch(/^2026-03-01 +2 answers +1500 tokens +\$0\.020 █{20}$/)
    expect(lines[1]).toMatch(/█{10}$/)
    expect(lines[2]).toMatch(/^total +4 answers/)
    expect(lines[3]).toBe('Monthly budget: $0.030 of $5.00 spent; resets 2026-04-01 00:00 UTC')
    expect(formatUsageSummary({ ...summary, rows: [], budget: null }, 'model')).toEqual([
      'No usage in this period.',
    ])
  })

  it('the transcript’s cost adds the answers’ costs; null when none has one', () => {
    const end = (cost: number | null) => ({
      kind: 'answer-end',
      usage: { cost, promptTokens: 1, completionTokens: 1 },
    })
    expect(transcriptCost([{ kind: 'user' }, end(0.25), end(null), end(0.5)])).toBe(0.75)
    expect(transcriptCost([{ kind: 'user' }, end(null)])).toBeNull()
  })
})
