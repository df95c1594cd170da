import type { RouterOutputs } from '@t3chat/client'
import { formatCost } from './usage'

/** What `usage.summary` returns. */
export type UsageSummary = RouterOutputs['usage']['summary']

const formatUsd = formatCost

function tokens(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`
  if (n >= 10_000) return `${Math.round(n / 1000)}k`
  return String(n)
}

const BAR_WIDTH = 20

/**
 * A small table of a usage summary: one row per day (with a bar of its cost) or per model, the
 * total, and the budget when one applies.
 */
export function formatUsageSummary(summary: UsageSummary, by: 'day' | 'model'): string[] {
  const lines: string[] = []
  if (summary.rows.length === 0) lines.push('No usage in this period.')
  const keyWidth = Math.max(10, ...summary.rows.map((r) => Math.min(r.key.length, 40)))
  const top = Math.max(...summary.rows.map((r) => r.cost), 0)
  for (const r of summary.rows) {
    const key = r.key.length > 40 ? `${r.key.slice(0, 39)}…` : r.key
    const bar =
      by === 'day' && top > 0
        ? ` ${'█'.repeat(Math.max(1, Math.round((r.cost / top) * BAR_WIDTH)))}`
        : ''
    lines.push(
      `${key.padEnd(keyWidth)}  ${String(r.answers).padStart(5)} answers  ${tokens(r.promptTokens + r.completionTokens).padStart(6)} tokens  ${formatUsd(r.cost).padStart(9)}${bar}`,
    )
  }
  if (summary.rows.length > 0)
    lines.push(
      `${'total'.padEnd(keyWidth)}  ${String(summary.answers).padStart(5)} answers  ${tokens(summary.promptTokens + summary.completionTokens).padStart(6)} tokens  ${formatUsd(summary.cost).padStart(9)}`,
    )
  const budget = summary.budget
  if (budget !== null) {
    const period = budget.period === 'day' ? 'Daily' : 'Monthly'
    lines.push(
      `${period} budget: ${formatUsd(budget.spentUsd)} of ${formatUsd(budget.limitUsd)} spent; resets ${budget.resetsAt.replace('T', ' ').slice(0, 16)} UTC`,
    )
  }
  return lines
}

/**
 * What the answers of the transcript cost so far (the conversation's visible path, as far as
 * it is loaded); null when none reported a cost.
 */
export function transcriptCost(
  entries: ReadonlyArray<{ kind: string; usage?: { cost: number | null } | null }>,
): number | null {
  let total: number | null = null
  for (const entry of entries) {
    const cost = entry.kind === 'answer-end' ? entry.usage?.cost : null
    if (typeof cost === 'number') total = (total ?? 0) + cost
  }
  return total
}
