import { createHash, randomBytes } from 'node:crypto'
import type { AuthUser } from '@t3chat/auth'
import {
  findConversation,
  findSharedSnapshot,
  insertShare,
  listActivePath,
  listShares,
  revokeShare,
  type Message,
  type SharedMessage,
} from '@t3chat/db'
import type { ApiDeps } from '../deps'
import { NotFoundError, ShareLinkNotFoundError } from '../errors'
import { toShare } from '../mappers'
import type { Share, SharedConversation } from '../shapes'

/** 192 random bits, base64url: 32 URL-safe characters. */
const TOKEN_BYTES = 24

/** What is stored instead of a link's token: a read of the table gives no working link. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

/** Only finished text is shared: never a live answer's partial text or an empty failure. */
function toSharedMessage(m: Message): SharedMessage | null {
  if (m.status === 'pending' || m.status === 'streaming' || m.content === '') return null
  return { role: m.role, content: m.content, model: m.model, createdAt: m.createdAt.toISOString() }
}

/** Snapshots the conversation's active path up to `messageId` (default: its end) as a link. */
export async function create(
  deps: ApiDeps,
  user: AuthUser,
  input: { conversationId: string; messageId?: string | undefined },
): Promise<Share> {
  const conversation = await findConversation(deps.db, {
    userId: user.id,
    id: input.conversationId,
  })
  if (conversation === undefined) throw new NotFoundError('conversation')
  const path = await listActivePath(deps.db, {
    conversationId: conversation.id,
    upTo: input.messageId ?? null,
  })
  if (path === undefined) throw new NotFoundError('message')
  const token = randomBytes(TOKEN_BYTES).toString('base64url')
  const row = await insertShare(deps.db, {
    userId: user.id,
    conversationId: conversation.id,
    tokenHash: hashToken(token),
    title: conversation.title,
    messages: path.map(toSharedMessage).filter((m) => m !== null),
  })
  // Other devices learn that a link exists, not the link itself.
  await deps.hub.publish(user.id, { type: 'share.created', share: toShare(row) })
  return toShare(row, token)
}

export async function list(
  deps: ApiDeps,
  user: AuthUser,
  input: { conversationId?: string | undefined },
): Promise<{ items: Share[] }> {
  const rows = await listShares(deps.db, {
    userId: user.id,
    conversationId: input.conversationId ?? null,
  })
  return { items: rows.map((row) => toShare(row)) }
}

export async function revoke(deps: ApiDeps, user: AuthUser, id: string): Promise<Share> {
  const row = await revokeShare(deps.db, { userId: user.id, id })
  if (row === undefined) throw new NotFoundError('share')
  const share = toShare(row)
  await deps.hub.publish(user.id, { type: 'share.revoked', share })
  return share
}

/**
 * The public view of a link. Unknown, revoked and deleted-conversation tokens take the same
 * path (one lookup of the hash by a unique index) and the same error.
 */
export async function view(
  deps: ApiDeps,
  clientAddress: string | null,
  token: string,
): Promise<SharedConversation> {
  await deps.limits.consume('shareViewsPerMin', clientAddress ?? 'unknown')
  const snapshot = await findSharedSnapshot(deps.db, hashToken(token))
  if (snapshot === undefined) throw new ShareLinkNotFoundError()
  return {
    title: snapshot.title,
    createdAt: snapshot.createdAt.toISOString(),
    messages: snapshot.messages.map((m) => ({
      role: m.role,
      content: m.content,
      model: m.model,
      createdAt: m.createdAt,
    })),
  }
}
