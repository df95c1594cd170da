import type { ChatClient, Share } from '@t3chat/client'
import type { Command } from '../args'
import { resolveConversationRef } from '../chat/conversations'
import { shareLink } from '../chat/transfer'
import { openSession } from '../connect/session'
import type { CliEnv } from '../config/env'
import { CliError } from '../errors'
import { shortId, truncate } from '../format/text'
import { relativeTime } from '../format/time'
import { paint } from './paint'

/** `t3chat share`: create a link (printed once), list links, or revoke one. */
export async function share(
  command: Extract<Command, { name: 'share' }>,
  env: CliEnv,
): Promise<number> {
  const session = await openSession(env, command.global)
  const out = (value: unknown, text: string) =>
    process.stdout.write(command.json ? `${JSON.stringify(value)}\n` : text)
  try {
    const client = session.client
    if (command.revoke !== undefined) {
      const revoked = await client.share.revoke.mutate({
        id: await resolveShare(client, command.revoke),
      })
      out(revoked, `Revoked ${shortId(revoked.id)}: the link no longer works.\n`)
      return 0
    }
    if (command.list) {
      const { items } = await client.share.list.query({})
      if (command.json) out({ items }, '')
      else if (items.length === 0) process.stderr.write('No share links yet.\n')
      else process.stdout.write(items.map((s) => listLine(s, env)).join(''))
      return 0
    }
    const conversationId =
      command.ref === undefined
        ? await mostRecent(client)
        : await resolveConversationRef(client, command.ref)
    const created = await client.share.create.mutate({ conversationId })
    const link = shareLink(session.url, created.token ?? '')
    out({ ...created, link }, `${link}\n`)
    if (!command.json)
      process.stderr.write(
        `${created.messageCount} messages shared. The link is shown only now; stop it with t3chat share --revoke ${shortId(created.id)}.\n`,
      )
    return 0
  } finally {
    await session.close()
  }
}

function listLine(s: Share, env: CliEnv): string {
  const p = paint(process.stdout, env.noColor)
  const state = s.revokedAt === null ? 'live' : p.dim('revoked')
  return `${p.cyan(shortId(s.id))}  ${truncate(s.title ?? 'Untitled', 36).padEnd(36)}  ${String(s.messageCount).padStart(4)} msgs  ${relativeTime(s.createdAt).padEnd(10)}  ${state}\n`
}

async function mostRecent(client: ChatClient): Promise<string> {
  const { items } = await client.conversation.list.query({ limit: 1 })
  const first = items[0]
  if (first === undefined)
    throw new CliError('there is no conversation to share', 'Start one with t3chat.')
  return first.id
}

/** A share by its full id or a unique prefix (as --list shows it). */
async function resolveShare(client: ChatClient, ref: string): Promise<string> {
  const prefix = ref.trim().toLowerCase()
  const { items } = await client.share.list.query({})
  const matches = items.filter((s) => s.id.startsWith(prefix))
  const only = matches[0]
  if (matches.length !== 1 || only === undefined || prefix.length < 4)
    throw new CliError(`no single share link matches "${ref}"`, 'See t3chat share --list.')
  return only.id
}
