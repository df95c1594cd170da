import { z } from 'zod'
import * as users from '../services/user'
import { UserSchema } from '../shapes'
import { authedProcedure, router } from '../trpc'
import { LIMITS, modelId, text, unstorable } from './inputs'

/** The first key or string inside a JSON value that the database cannot store, and where. */
function unstorableIn(value: unknown, path: string): string | null {
  if (typeof value === 'string') {
    const problem = unstorable(value)
    return problem === null ? null : `${problem} (at ${path || 'the top'})`
  }
  if (typeof value !== 'object' || value === null) return null
  for (const [key, inner] of Object.entries(value)) {
    const where = path === '' ? key : `${path}.${key}`
    const keyProblem = unstorable(key)
    if (keyProblem !== null) return `a key ${keyProblem} (at ${where})`
    const found = unstorableIn(inner, where)
    if (found !== null) return found
  }
  return null
}

const preferences = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const problem = unstorableIn(value, '')
  if (problem !== null) {
    ctx.addIssue({ code: 'custom', message: problem })
    return
  }
  const size = Buffer.byteLength(JSON.stringify(value))
  if (size > LIMITS.preferencesBytes) {
    ctx.addIssue({
      code: 'too_big',
      origin: 'object',
      maximum: LIMITS.preferencesBytes,
      inclusive: true,
      input: value,
      message: `must be at most ${LIMITS.preferencesBytes} bytes of JSON (got ${size})`,
    })
  }
})

export const userRouter = router({
  me: authedProcedure
    .meta({ summary: 'The signed-in user (created on their first call).', errors: {} })
    .output(UserSchema)
    .query(({ ctx }) => users.getMe(ctx.deps, ctx.user)),
  update: authedProcedure
    .meta({
      summary: 'Changes the user’s display name, default model or preferences.',
      description: 'Only the fields given change; `null` clears a field.',
      errors: { BAD_REQUEST: '`defaultModel` is not in the provider’s catalog' },
    })
    .input(
      z.object({
        displayName: text(LIMITS.displayName).trim().nullable().optional(),
        defaultModel: modelId.nullable().optional(),
        preferences: preferences.optional(),
      }),
    )
    .output(UserSchema)
    .mutation(({ ctx, input }) => users.updateMe(ctx.deps, ctx.user, input)),
})
