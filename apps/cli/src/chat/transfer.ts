import { writeFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import type { ChatClient, Conversation, Share } from '@t3chat/client'
import { shortId } from '../format/text'
import { relativeTime } from '../format/time'
import type { SlashCommand } from './slash'
import type { ChatState } from './state'
import type { Store } from './store'

/** What `/share` and `/export` need from the chat. */
export interface TransferHost {
  client: ChatClient
  store: Store<ChatState>
  /** The server's URL (share links start with it). */
  url: string
  notice(tone: 'info' | 'warn', text: string): void
}

/** The public link of a share token: `<server>/s/<token>` (what a web front end serves). */
export function shareLink(serverUrl: string, token: string): string {
  return `${serverUrl.replace(/\/+$/, '')}/s/${token}`
}

function current(host: TransferHost, what: string): Conversation | null {
  const conversation = host.store.get().conversation
  if (conversation === null) host.notice('warn', `Nothing to ${what} yet: send a message first.`)
  return conversation
}

function shareLine(share: Share): string {
  const state = share.revokedAt === null ? 'live' : 'revoked'
  return `${shortId(share.id)}  ${share.messageCount} messages  ${relativeTime(share.createdAt)}  ${state}`
}

/** `/share`: a public link to this conversation (shown once); `list` and `revoke [id]` its links. */
export async function shareConversation(
  host: TransferHost,
  command: Extract<SlashCommand, { name: 'share' }>,
): Promise<void> {
  const conversation = current(host, 'share')
  if (conversation === null) return
  if (command.action === 'create') {
    const created = await host.client.share.create.mutate({ conversationId: conversation.id })
    return host.notice(
      'info',
      `🔗 ${shareLink(host.url, created.token ?? '')}\n${created.messageCount} messages shared (what is here now; later messages are not). The link is shown only now; /share revoke stops it.`,
    )
  }
  const { items } = await host.client.share.list.query({ conversationId: conversation.id })
  if (command.action === 'list') {
    return host.notice(
      'info',
      items.length === 0
        ? 'No share links for this conversation.'
        : ['Share links of this conversation:', ...items.map(shareLine)].join('\n'),
    )
  }
  const live = items.filter((s) => s.revokedAt === null)
  const ref = command.ref?.toLowerCase() ?? null
  const targets = ref === null ? live : live.filter((s) => s.id.startsWith(ref))
  if (targets.length === 0 || (ref !== null && (targets.length > 1 || ref.length < 4))) {
    return host.notice(
      'warn',
      ref === null
        ? 'This conversation has no live share link.'
        : `No single live link matches “${command.ref ?? ''}”; /share list shows them.`,
    )
  }
  for (const share of targets) await host.client.share.revoke.mutate({ id: share.id })
  host.notice(
    'info',
    `Revoked ${targets.length === 1 ? 'the link' : `${targets.length} links`}: ${targets.length === 1 ? 'it no longer works' : 'they no longer work'}.`,
  )
}

/**
 * `/export [md|json] [file]`: this conversation as Markdown (the path shown) or t3chat JSON
 * (every branch), to `file` or to the server's file name in the current directory (never over
 * an existing file unless named).
 */
export async function exportConversation(
  host: TransferHost,
  command: Extract<SlashCommand, { name: 'export' }>,
): Promise<void> {
  const conversation = current(host, 'export')
  if (conversation === null) return
  const file = await host.client.conversation.export.query({
    id: conversation.id,
    format: command.format === 'md' ? 'markdown' : 'json',
  })
  const path = resolve(command.file ?? basename(file.filename))
  try {
    await writeFile(path, file.content, { flag: command.file === null ? 'wx' : 'w' })
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') {
      return host.notice(
        'warn',
        `${path} exists already: name a file, /export ${command.format} FILE.`,
      )
    }
    throw error
  }
  host.notice('info', `Exported “${conversation.title ?? 'Untitled'}” to ${path}`)
}
