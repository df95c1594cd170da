import type { ChatClient } from '@t3chat/client'
import { formatUsageSummary } from '../format/usage-summary'

/** `/usage` in the chat: this month's usage per day, and the budget (as `t3chat usage`). */
export async function usageNotice(client: ChatClient): Promise<string> {
  const summary = await client.usage.summary.query({ groupBy: 'day' })
  return formatUsageSummary(summary, 'day').join('\n')
}
