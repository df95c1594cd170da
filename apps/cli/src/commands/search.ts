import type { RouterOutputs } from '@t3chat/client'
import type { Command } from '../args'
import { openSession } from '../connect/session'
import type { CliEnv } from '../config/env'
import { shortId, truncate } from '../format/text'
import { relativeTime } from '../format/time'
import { paint } from './paint'

type SearchHit = RouterOutputs['search']['messages']['items'][number]

/**
 * `t3chat search words…`: the best matches among your messages and titles: conversation short
 * id and title, the message's number (`#seq`), age, and the snippet with the matches in bold.
 */
export async function search(
  command: Extract<Command, { name: 'search' }>,
  env: CliEnv,
): Promise<number> {
  const session = await openSession(env, command.global)
  try {
    const page = await session.client.search.messages.query({
      query: command.query,
      limit: command.limit,
    })
    if (command.json) {
      process.stdout.write(`${JSON.stringify(page)}\n`)
      return 0
    }
    if (page.items.length === 0) {
      process.stderr.write(`Nothing matches "${command.query}".\n`)
      return 0
    }
    const p = paint(process.stdout, env.noColor)
    for (const hit of page.items) {
      const where = hit.field === 'title' ? 'title' : `#${hit.seq} ${hit.role}`
      process.stdout.write(
        `${p.cyan(shortId(hit.conversationId))}  ${p.bold(truncate(hit.conversationTitle ?? 'Untitled', 40))}  ${p.dim(`${where} · ${relativeTime(hit.createdAt)}`)}\n` +
          `    ${highlighted(hit, p.bold)}\n`,
      )
    }
    return 0
  } finally {
    await session.close()
  }
}

/** The snippet with each highlight range passed through `mark`. */
export function highlighted(hit: SearchHit, mark: (text: string) => string): string {
  let out = ''
  let at = 0
  for (const [start, end] of hit.highlights) {
    out += hit.snippet.slice(at, start) + mark(hit.snippet.slice(start, end))
    at = end
  }
  return out + hit.snippet.slice(at)
}
