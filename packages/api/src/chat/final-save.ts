import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { finishAnswer, type AnswerEnd, type Database } from '@t3chat/db'
import { toMessage, withBranch } from '../mappers'
import type { Branch, Message } from '../shapes'
import { pause } from './pause'

const FIRST_DELAY_MS = 250
const MAX_DELAY_MS = 5_000

/**
 * Writes an answer's end until the database takes it: backoff from 250 ms doubling to 5 s,
 * until stored or `signal` aborts (shutdown: the answer is then recovered as interrupted at the
 * next start). Memory stays bounded: one row per answer, each answer capped in size, and no new
 * answer can start while the database is away. Once stored, the change is announced.
 */
export async function saveUntilStored(
  db: Kysely<Database>,
  row: AnswerEnd,
  opts: {
    signal: AbortSignal
    logger: Logger
    /** Where the answer hangs (its row does not say). */
    branch: Branch
    publish: (message: Message) => Promise<void>
  },
): Promise<void> {
  for (let attempt = 0; !opts.signal.aborted; attempt++) {
    await pause(Math.min(FIRST_DELAY_MS * 2 ** attempt, MAX_DELAY_MS), opts.signal)
    if (opts.signal.aborted) break
    try {
      const ended = await finishAnswer(db, row)
      opts.logger.info({ attempts: attempt + 1 }, 'final save landed')
      if (ended.outcome !== 'not_found')
        await opts.publish(toMessage(withBranch(ended.message, opts.branch)))
      return
    } catch (error) {
      if (attempt % 10 === 0) opts.logger.warn({ err: error, attempt }, 'final save still failing')
    }
  }
  opts.logger.warn('final save abandoned at shutdown; the answer is recovered at the next start')
}
