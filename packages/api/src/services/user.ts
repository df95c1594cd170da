import type { AuthUser } from '@t3chat/auth'
import { findUser, setProviderKey, updateUser, upsertUser } from '@t3chat/db'
import type { ApiDeps } from '../deps'
import { InvalidInputError, NotConfiguredError, NotFoundError } from '../errors'
import { toUser } from '../mappers'
import type { User } from '../shapes'
import { assertKnownModel } from './models'

const KNOWN_USERS_LIMIT = 50_000

/**
 * Creates the user's row on their first authenticated call. Rows known to exist are
 * remembered, so later calls cost no query.
 */
export async function ensureUser(
  deps: Pick<ApiDeps, 'db' | 'knownUsers'>,
  user: AuthUser,
): Promise<void> {
  if (deps.knownUsers.has(user.id)) return
  await upsertUser(deps.db, { id: user.id, email: user.email })
  if (deps.knownUsers.size >= KNOWN_USERS_LIMIT) deps.knownUsers.clear()
  deps.knownUsers.add(user.id)
}

export async function getMe(deps: ApiDeps, user: AuthUser): Promise<User> {
  const row =
    (await findUser(deps.db, user.id)) ??
    (await upsertUser(deps.db, { id: user.id, email: user.email }))
  return toUser(row)
}

export async function updateMe(
  deps: ApiDeps,
  user: AuthUser,
  patch: {
    displayName?: string | null
    defaultModel?: string | null
    preferences?: Record<string, unknown>
  },
): Promise<User> {
  await assertKnownModel(deps, patch.defaultModel, 'defaultModel')
  const row = await updateUser(deps.db, user.id, patch)
  if (row === undefined) throw new NotFoundError('user')
  return toUser(row)
}

/**
 * Stores the user's own provider key, sealed (see usage/secret-box.ts), after one check with
 * the provider; `null` removes it. The key never leaves this function except sealed.
 */
export async function setMyProviderKey(
  deps: ApiDeps,
  user: AuthUser,
  key: string | null,
): Promise<User> {
  let sealed: { secret: string; last4: string } | null = null
  if (key !== null) {
    if (!deps.keys.enabled)
      throw new NotConfiguredError(
        'This server cannot store provider keys: set T3CHAT_ENCRYPTION_KEY on the server.',
      )
    const check = await deps.keys.check(key)
    if (!check.ok)
      throw new InvalidInputError(
        check.reason === 'rejected'
          ? 'key: the provider rejected this key; check it and try again.'
          : 'key: the provider could not be reached to check this key; try again later.',
      )
    sealed = { secret: deps.keys.seal(key, user.id), last4: key.slice(-4) }
  }
  const row = await setProviderKey(deps.db, user.id, sealed)
  if (row === undefined) throw new NotFoundError('user')
  return toUser(row)
}
