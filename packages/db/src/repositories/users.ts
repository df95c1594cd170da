import { sql } from 'kysely'
import type { Executor, User } from '../database'

/**
 * Returns the user, creating it on first sight. A non-null `email` that differs from the stored
 * one replaces it; a null `email` never erases one. Reads first, so the hot path writes nothing.
 */
export async function upsertUser(
  db: Executor,
  u: { id: string; email: string | null },
): Promise<User> {
  const existing = await findUser(db, u.id)
  if (existing && (u.email === null || u.email === existing.email)) return existing

  const written = await db
    .insertInto('users')
    .values({ id: u.id, email: u.email })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ email: (eb) => eb.ref('excluded.email') })
        .where((eb) =>
          eb.and([
            eb('excluded.email', 'is not', null),
            eb('users.email', 'is distinct from', eb.ref('excluded.email')),
          ]),
        ),
    )
    .returningAll()
    .executeTakeFirst()
  if (written) return written

  // A concurrent call inserted the same row (with this email) between our read and write.
  const raced = await findUser(db, u.id)
  if (!raced) throw new Error(`User ${u.id} vanished while being upserted`)
  return raced
}

/** The user with this id (the auth `sub`), if any. */
export async function findUser(db: Executor, id: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Changes the given fields (`preferences` replaces the whole object); undefined if no such user. */
export async function updateUser(
  db: Executor,
  id: string,
  patch: {
    displayName?: string | null
    defaultModel?: string | null
    preferences?: Record<string, unknown>
  },
): Promise<User | undefined> {
  const set = {
    ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
    ...(patch.defaultModel !== undefined ? { defaultModel: patch.defaultModel } : {}),
    // Cast from text: the same parameter encoding on pg and PGlite, whatever the object holds.
    ...(patch.preferences !== undefined
      ? {
          preferences: sql<
            User['preferences']
          >`cast(${JSON.stringify(patch.preferences)}::text as jsonb)`,
        }
      : {}),
  }
  if (Object.keys(set).length === 0) return findUser(db, id)
  return db.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirst()
}
