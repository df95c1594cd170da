import { TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server'
import { expect } from 'vitest'

/**
 * Awaits `call` and asserts it fails with a TRPCError of `code` whose message contains every
 * text of `mentions` (e.g. the field name). Returns the error for further checks.
 */
export async function expectTRPCError(
  call: Promise<unknown> | (() => Promise<unknown>),
  code: TRPC_ERROR_CODE_KEY,
  ...mentions: string[]
): Promise<TRPCError> {
  const outcome: unknown = await (typeof call === 'function' ? call() : call).then(
    (value) => ({ resolvedWith: value }),
    (error: unknown) => error,
  )
  expect(outcome, `expected ${code}`).toBeInstanceOf(TRPCError)
  const error = outcome as TRPCError
  expect({ code: error.code, message: error.message }).toMatchObject({ code })
  for (const text of mentions) expect(error.message).toContain(text)
  return error
}

/** A value of the wrong type for an input, passed past the compiler on purpose. */
export function invalid(value: unknown): never {
  return value as never
}
