import type { Message } from '@t3chat/client'

/** `123 → 456 tokens · $0.0012` for an answer's usage; null when the server reported none. */
export function formatUsage(usage: Message['usage']): string | null {
  if (usage === null) return null
  const unit = usage.completionTokens === 1 ? 'token' : 'tokens'
  const tokens = `${usage.promptTokens.toLocaleString('en-US')} → ${usage.completionTokens.toLocaleString('en-US')} ${unit}`
  return usage.cost === null ? tokens : `${tokens} · ${formatCost(usage.cost)}`
}

/** Dollars with enough digits to show fractions of a cent. */
export function formatCost(cost: number): string {
  if (cost === 0) return '$0'
  if (cost >= 1) return `$${cost.toFixed(2)}`
  if (cost >= 0.01) return `$${cost.toFixed(3)}`
  if (cost < 0.000001) return '<$0.000001'
  return `$${cost.toFixed(6).replace(/0+$/, '')}`
}
