import type { Command } from '../args'
import { openSession } from '../connect/session'
import type { CliEnv } from '../config/env'
import { oneLine, shortId, truncate } from '../format/text'
import { relativeTime } from '../format/time'
import { paint } from './paint'

/** `t3chat list`: conversations by last activity: number, short id, title, preview, age. */
export async function list(
  command: Extract<Command, { name: 'list' }>,
  env: CliEnv,
): Promise<number> {
  const session = await openSession(env, command.global)
  try {
    const page = await session.client.conversation.list.query({ limit: command.limit })
    if (command.json) {
      process.stdout.write(`${JSON.stringify(page)}\n`)
      return 0
    }
    if (page.items.length === 0) {
      process.stderr.write('No conversations yet. Start one with `t3chat` or `t3chat ask "…"`.\n')
      return 0
    }
    const columns = process.stdout.columns || 100
    const p = paint(process.stdout, env.noColor)
    const numberWidth = String(page.items.length).length
    for (const [index, item] of page.items.entries()) {
      const title = truncate(item.title ?? 'Untitled', 36)
      const age = relativeTime(item.lastMessageAt ?? item.updatedAt)
      const room = Math.max(0, columns - numberWidth - 8 - 2 - 38 - age.length - 4)
      const preview = truncate(oneLine(item.preview ?? ''), room)
      process.stdout.write(
        `${p.dim(String(index + 1).padStart(numberWidth))}  ${p.cyan(shortId(item.id))}  ${p.bold(title.padEnd(36))}  ${p.dim(preview.padEnd(room))}  ${age}\n`,
      )
    }
    if (page.nextCursor !== null)
      process.stderr.write(
        p.dim(`… more: t3chat list --limit ${Math.min(100, command.limit * 2)}\n`),
      )
    return 0
  } finally {
    await session.close()
  }
}
