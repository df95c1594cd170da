import { setConversationTitleIfUnset } from '@t3chat/db'
import { buildTitlePrompt, cleanTitle, fallbackTitle } from '@t3chat/llm'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '@t3chat/db'
import type { CompletionUsage, LlmProvider, ModelCatalog } from '@t3chat/llm'
import { addUsage } from '@t3chat/db'
import { settleUsage, utcDay } from '../usage/cost'
import { toConversation } from '../mappers'
import type { Hub } from './hub'

/** What naming a conversation needs. */
export interface TitleDeps {
  db: Kysely<Database>
  llm: LlmProvider | null
  hub: Hub
  logger: Logger
  titleModel: string
  models: ModelCatalog
  clock: () => Date
}

const TITLE_TIMEOUT_MS = 20_000

/**
 * Names a conversation after its first answer: asks the title model (when the answer
 * completed, `answer` not null), falls back to the first words of the first message, stores the title unless the user has set one, and
 * announces it. Runs in the background; it never fails or delays the chat.
 */
export async function generateTitle(
  deps: TitleDeps,
  job: {
    keyOwner: 'server' | 'user'
    userId: string
    conversationId: string
    userContent: string
    answer: string | null
  },
): Promise<void> {
  const log = deps.logger.child({ conversationId: job.conversationId })
  let title: string | null = null
  if (deps.llm !== null && job.answer !== null) {
    const messages = buildTitlePrompt(job.userContent, job.answer)
    let usage: CompletionUsage | null = null
    let raw = ''
    try {
      raw = await deps.llm.complete({
        model: deps.titleModel,
        messages,
        signal: AbortSignal.timeout(TITLE_TIMEOUT_MS),
        maxTokens: 24,
        onUsage: (u) => {
          usage = u
        },
      })
      title = cleanTitle(raw)
    } catch (error) {
      log.info({ err: error }, 'title model failed; using the first words instead')
    }
    // A title costs money too: it counts on the user's day (the server's, unless their key).
    if (raw !== '' || usage !== null) await recordTitleUsage(deps, job, messages, raw, usage)
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

async function recordTitleUsage(
  deps: TitleDeps,
  job: { keyOwner: 'server' | 'user'; userId: string },
  messages: { content: string }[],
  raw: string,
  usage: CompletionUsage | null,
): Promise<void> {
  const u: CompletionUsage | null = usage
  try {
    const settled = await settleUsage(deps.models, {
      model: deps.titleModel,
      promptChars: messages.reduce((n, m) => n + m.content.length, 0),
      answerChars: raw.length,
      promptTokens: u?.promptTokens ?? null,
      completionTokens: u?.completionTokens ?? null,
      cost: u?.cost ?? null,
    })
    await addUsage(deps.db, {
      userId: job.userId,
      day: utcDay(deps.clock()),
      model: deps.titleModel,
      keyOwner: job.keyOwner,
      promptTokens: settled.promptTokens ?? 0,
      completionTokens: settled.completionTokens ?? 0,
      cost: settled.cost ?? 0,
    })
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not record the title’s usage')
  }
}
