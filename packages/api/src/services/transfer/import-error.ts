import type { ZodError } from 'zod'
import { InvalidInputError } from '../../errors'

/** Import data that is not what its format says; the message starts with the first bad path. */
export class ImportDataError extends InvalidInputError {
  constructor(path: string, reason: string) {
    super(`${path === '' ? 'data' : path}: ${reason}`)
  }

  /** The first issue of a failed parse, as `mapping.abc.parent: …`. */
  static fromZod(error: ZodError): ImportDataError {
    const issue = error.issues[0]
    return new ImportDataError(issue?.path.join('.') ?? '', issue?.message ?? 'invalid')
  }
}

/** Text Postgres can store: never `\u0000`. */
export const NUL_FREE = (s: string) => !s.includes('\u0000')
export const NUL_MESSAGE = 'must not contain \\u0000'
