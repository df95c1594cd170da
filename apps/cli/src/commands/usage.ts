import type { Command } from '../args'
import { openSession } from '../connect/session'
import type { CliEnv } from '../config/env'
import { formatUsageSummary } from '../format/usage-summary'

/** `t3chat usage [--by day|model] [--json]`: this month's usage, and the budget. */
export async function usage(
  command: Extract<Command, { name: 'usage' }>,
  env: CliEnv,
): Promise<number> {
  const session = await openSession(env, command.global)
  try {
    const summary = await session.client.usage.summary.query({ groupBy: command.by })
    if (command.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`)
      return 0
    }
    process.stdout.write(`${formatUsageSummary(summary, command.by).join('\n')}\n`)
    return 0
  } finally {
    await session.close()
  }
}
