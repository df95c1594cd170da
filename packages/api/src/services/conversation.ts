import type { AuthUser } from '@t3chat/auth'
import {
  createConversation,
  deleteConversation,
  findConversation,
  findUser,
  listConversations,
  updateConversation,
} from '@t3chat/db'
import { stop } from '../chat/turns/stop'
import type { ApiDeps } from '../deps'
import { NotFoundError } from '../errors'
import { toConversation } from '../mappers'
import type { Conversation } from '../shapes'
import { assertKnownModel } from './models'

export async function create(
  deps: ApiDeps,
  user: AuthUser,
  input: {
    title?: string | undefined
    systemPrompt?: string | undefined
    model?: string | undefined
  },
): Promise<Conversation> {
  await assertKnownModel(deps, input.model)
  const row = await createConversation(deps.db, {
    userId: user.id,
    title: input.title ?? null,
    systemPrompt: input.systemPrompt ?? null,
    // The same order chat.send follows: the request, then the user's default, then the server's.
    currentModel:
      input.model ?? (await findUser(deps.db, user.id))?.defaultModel ?? deps.config.defaultModel,
  })
  const conversation = toConversation(row)
  await deps.hub.publish(user.id, { type: 'conversation.created', conversation })
  return conversation
}

export async function list(
  deps: ApiDeps,
  user: AuthUser,
  input: { limit: number; cursor: string | null },
): Promise<{ items: Conversation[]; nextCursor: string | null }> {
  const page = await listConversations(deps.db, { userId: user.id, ...input })
  return { items: page.items.map(toConversation), nextCursor: page.nextCursor }
}

export async function get(deps: ApiDeps, user: AuthUser, id: string): Promise<Conversation> {
  const row = await findConversation(deps.db, { userId: user.id, id })
  if (row === undefined) throw new NotFoundError('conversation')
  return toConversation(row)
}

export async function update(
  deps: ApiDeps,
  user: AuthUser,
  input: {
    id: string
    title?: string | null | undefined
    systemPrompt?: string | null | undefined
    model?: string | undefined
    pinned?: boolean | undefined
  },
): Promise<Conversation> {
  await assertKnownModel(deps, input.model)
  const row = await updateConversation(
    deps.db,
    { userId: user.id, id: input.id },
    {
      ...(input.title !== undefined
        ? { title: input.title, titleSetByUser: input.title !== null }
        : {}),
      ...(input.systemPrompt !== undefined ? { systemPrompt: input.systemPrompt } : {}),
      ...(input.model !== undefined ? { currentModel: input.model } : {}),
      ...(input.pinned !== undefined ? { pinned: input.pinned } : {}),
    },
  )
  if (row === undefined) throw new NotFoundError('conversation')
  const conversation = toConversation(row)
  await deps.hub.publish(user.id, { type: 'conversation.updated', conversation })
  return conversation
}

export async function remove(deps: ApiDeps, user: AuthUser, id: string): Promise<{ id: string }> {
  // Stop a live answer first, so its end is not written into a conversation that is gone.
  const conversation = await findConversation(deps.db, { userId: user.id, id })
  if (conversation === undefined) throw new NotFoundError('conversation')
  if (conversation.activeMessageId !== null) {
    await stop(deps, user, conversation.activeMessageId).catch(() => undefined)
  }
  if (!(await deleteConversation(deps.db, { userId: user.id, id })))
    throw new NotFoundError('conversation')
  await deps.hub.publish(user.id, { type: 'conversation.deleted', conversationId: id })
  return { id }
}
