import type { AuthUser } from '@t3chat/auth'
import { listMessages } from '@t3chat/db'
import type { ApiDeps } from '../deps'
import { NotFoundError } from '../errors'
import { toMessage } from '../mappers'
import type { Message } from '../shapes'

/** A page of history; an answer streaming on this instance shows its live text. */
export async function list(
  deps: ApiDeps,
  user: AuthUser,
  input: { conversationId: string; limit: number; before: number | null },
): Promise<{ items: Message[]; nextBefore: number | null }> {
  const page = await listMessages(deps.db, { userId: user.id, ...input })
  if (page === undefined) throw new NotFoundError('conversation')
  return {
    items: page.items.map((row) => deps.runner.current(toMessage(row))),
    nextBefore: page.nextBefore,
  }
}
