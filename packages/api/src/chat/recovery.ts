/**
 * Start-up recovery: answers a crash left `pending`/`streaming` end as `error: interrupted`
 * with their last checkpointed text, and their conversations take new messages again.
 */
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { interruptLiveAnswers, type Database } from '@t3chat/db'
import { INTERRUPTED_MESSAGE } from './generation'

export async function recoverAnswers(deps: {
  db: Kysely<Database>
  logger: Logger
}): Promise<number> {
  const failed = await interruptLiveAnswers(deps.db, {
    errorCode: 'interrupted',
    errorMessage: INTERRUPTED_MESSAGE,
  })
  if (failed.length > 0)
    deps.logger.warn({ count: failed.length }, 'marked answers interrupted by a restart')
  return failed.length
}
