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
  setProviderKey: authedProcedure
    .meta({
      summary: 'Sets (or with `null` removes) the user’s own OpenRouter key.',
      description:
        'The key is checked once with the provider, stored encrypted, and never returned (`providerKey.last4` only). Answers and titles then run on it, outside the server’s budgets (their usage is still recorded, as the user’s).',
      errors: {
        BAD_REQUEST: 'the provider rejected the key, or could not check it',
        PRECONDITION_FAILED: 'the server has no encryption key for provider keys',
      },
    })
    .input(
      z.object({
        key: z
          .string()
          .trim()
          .min(8, 'must be an API key')
          .max(512)
          .regex(/^[\x21-\x7e]+$/, 'must be an API key (printable ASCII, no spaces)')
          .nullable(),
      }),
    )
    .output(UserSchema)
    .mutation(({ ctx, input }) => users.setMyProviderKey(ctx.deps, ctx.user, input.key)),
})
