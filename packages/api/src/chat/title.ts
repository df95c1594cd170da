import { setConversationTitleIfUnset } from '@t3chat/db'
import { buildTitlePrompt, cleanTitle, fallbackTitle } from '@t3chat/llm'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '@t3chat/db'
import type { LlmProvider } from '@t3chat/llm'
import { toConversation } from '../mappers'
import type { Hub } from './hub'

/** What naming a conversation needs. */
export interface TitleDeps {
  db: Kysely<Database>
  llm: LlmProvider | null
  hub: Hub
  logger: Logger
  titleModel: string
}

const TITLE_TIMEOUT_MS = 20_000

/**
 * Names a conversation after its first answer: asks the title model, falls back to the
 * first words of the first message, stores the title unless the user has set one, and
 * announces it. Runs in the background; it never fails or delays the chat.
 */
export async function generateTitle(
  deps: TitleDeps,
  job: { userId: string; conversationId: string; userContent: string; answer: string },
): Promise<void> {
  const log = deps.logger.child({ conversationId: job.conversationId })
  let title: string | null = null
  if (deps.llm !== null) {
    try {
      const raw = await deps.llm.complete({
        model: deps.titleModel,
        messages: buildTitlePrompt(job.userContent, job.answer),
        signal: AbortSignal.timeout(TITLE_TIMEOUT_MS),
        maxTokens: 24,
      })
      title = cleanTitle(raw)
    } catch (error) {
      log.info({ err: error }, 'title model failed; using the first words instead')
    }
  }
  title ??= fallbackTitle(job.userContent)
  try {
    const row = await setConversationTitleIfUnset(deps.db, {
      userId: job.userId,
      id: job.conversationId,
      title,
    })
    if (row !== undefined) {
      await deps.hub.publish(job.userId, {
        type: 'conversation.updated',
        conversation: toConversation(row),
      })
    }
  } catch (error) {
    log.warn({ err: error }, 'could not store the generated title')
  }
}
