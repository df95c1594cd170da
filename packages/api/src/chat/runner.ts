/**
 * The generation runner: the answers this instance generates, from hand-over to their end.
 *
 * A turn service (chat/turns) writes a `pending` answer and hands it to `start` with its
 * concurrency slot. The runner opens the answer's writer on the hub, runs the generation
 * (generation.ts), publishes the final message, frees the slot, and names the conversation
 * after its first answer. It also stops every live answer at shutdown. It knows nothing of
 * requests or users beyond ids.
 */
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { finishAnswer, type ContextMessage, type Database } from '@t3chat/db'
import type { LlmProvider, ModelCatalog } from '@t3chat/llm'
import type { ApiConfig } from '../config'
import { toMessage, withBranch } from '../mappers'
import type { Branch, Message } from '../shapes'
import { runGeneration, SaveDeferred, type GenerationRun } from './generation'
import { saveUntilStored } from './final-save'
import type { AnswerWriter, Hub } from './hub'
import type { ConcurrencyLimiter } from './limiter'
import { generateTitle } from './title'

/** A pending answer, as the turn that wrote it hands it over. */
export interface AnswerJob {
  userId: string
  conversationId: string
  messageId: string
  seq: number
  /** The user message it answers, and its place among that message's answers. */
  parentId: string | null
  branch: Branch
  model: string
  systemPrompt: string | null
  /** The context newest first, when the turn already read it; null loads it. */
  history: ContextMessage[] | null
  /** Name the conversation from this user message once the answer completes. */
  titleFrom: { userContent: string } | null
  /** Whose provider key `llm` is (usage is recorded as theirs). */
  keyOwner: 'server' | 'user'
}

export interface GenerationRunner {
  /**
   * Starts generating `job` with `llm`; its concurrency slot is released when it ends. Resolves
   * once the answer is live on the hub (followers can attach).
   */
  start(job: AnswerJob, llm: LlmProvider): Promise<void>
  /** The message as it is right now: live text and status for an answer generated here. */
  current(message: Message): Message
  /** Stops every live answer (saved as `interrupted`) and waits for background jobs. */
  close(): Promise<void>
  /** Background jobs (titles) still running; tests and shutdown wait on this. */
  idle(): Promise<void>
}

export interface RunnerDeps {
  db: Kysely<Database>
  models: ModelCatalog
  hub: Hub
  limiter: ConcurrencyLimiter
  logger: Logger
  config: ApiConfig
  clock: () => Date
  /** An answer ended short (stopped, failed): the provider's cost of it may have been queued. */
  onEndedShort?: () => void
}

interface Running {
  run: GenerationRun
  done: Promise<Message>
}

export function createGenerationRunner(deps: RunnerDeps): GenerationRunner {
  const { db, hub, logger, config } = deps
  const running = new Map<string, Running>()
  const background = new Set<Promise<unknown>>()
  /** Conversations being named right now: never two title jobs for one conversation. */
  const titling = new Set<string>()
  /** Aborted at close: final saves still waiting for the database give up (recovery takes over). */
  const shutdown = new AbortController()

  function track(job: Promise<unknown>): void {
    background.add(job)
    void job.finally(() => background.delete(job))
  }

  /** Ends the answer as an error when it could not even go live (the hub refused it). */
  async function abandon(job: AnswerJob, error: unknown): Promise<void> {
    logger.error({ err: error, messageId: job.messageId }, 'answer could not start')
    try {
      const ended = await finishAnswer(db, {
        id: job.messageId,
        conversationId: job.conversationId,
        content: '',
        status: 'error',
        errorCode: 'unavailable',
        errorMessage: 'The answer could not start on the server. Try again.',
        promptTokens: null,
        completionTokens: null,
        cost: null,
      })
      if (ended.outcome !== 'not_found')
        await hub
          .publish(job.userId, {
            type: 'message.updated',
            message: toMessage(withBranch(ended.message, job.branch)),
          })
          .catch(() => undefined)
    } finally {
      await deps.limiter.release(job.userId, job.messageId).catch(() => undefined)
    }
  }

  /**
   * Announces a saved end, in the order that keeps every view consistent: the slot is free
   * first (a client that saw the end may start the next answer at once), then the user's
   * devices hear of it and the title job is on record, and last the followers get `final`.
   */
  async function finish(
    job: AnswerJob,
    live: AnswerWriter,
    message: Message,
    llm: LlmProvider,
    log: Logger,
  ): Promise<void> {
    await deps.limiter.release(job.userId, job.messageId).catch((error: unknown) => {
      log.warn({ err: error }, 'concurrency slot not released')
    })
    await hub
      .publish(job.userId, { type: 'message.updated', message })
      .catch((error: unknown) => log.warn({ err: error }, 'answer update not announced'))
    // A stopped or failed first answer still names the conversation (after the user's
    // message, without asking the title model about an answer that is not there); at most
    // one title job runs per conversation.
    if (job.titleFrom !== null && !titling.has(job.conversationId)) {
      titling.add(job.conversationId)
      track(
        generateTitle(
          {
            db,
            llm,
            hub,
            logger,
            titleModel: config.titleModel,
            models: deps.models,
            clock: deps.clock,
          },
          {
            keyOwner: job.keyOwner,
            userId: job.userId,
            conversationId: job.conversationId,
            userContent: job.titleFrom.userContent,
            answer: message.status === 'completed' ? message.content : null,
          },
        ).finally(() => titling.delete(job.conversationId)),
      )
    }
    await live.finish(message)
    log.info(
      { status: message.status, code: message.error?.code, chars: message.content.length },
      'answer ended',
    )
  }

  return {
    async start(job, llm) {
      let live: AnswerWriter
      try {
        live = await hub.open({
          messageId: job.messageId,
          userId: job.userId,
          conversationId: job.conversationId,
        })
      } catch (error) {
        await abandon(job, error)
        throw error
      }
      const log = logger.child({ messageId: job.messageId, userId: job.userId })
      const run: GenerationRun = {
        live,
        abort: new AbortController(),
        stopReason: null,
        model: job.model,
        systemPrompt: job.systemPrompt,
        seq: job.seq,
        parentId: job.parentId,
        branch: job.branch,
        history: job.history,
        keyOwner: job.keyOwner,
        generationId: null,
        promptChars: 0,
      }
      live.onStop(() => {
        run.stopReason ??= 'user'
        run.abort.abort()
      })
      const done = runGeneration(
        {
          db,
          llm,
          models: deps.models,
          logger: log,
          checkpointIntervalMs: config.checkpointIntervalMs,
          maxAnswerChars: config.maxAnswerChars,
          clock: deps.clock,
        },
        run,
      )
        .catch((error: unknown): Message => {
          if (error instanceof SaveDeferred) {
            // Subscribers get their final now, with exactly the text they saw; the row
            // follows (and the conversation is freed) once the database is back.
            log.error(
              { err: error.cause },
              'final save failed; retrying until the database is back',
            )
            const publish = (message: Message) =>
              hub.publish(job.userId, { type: 'message.updated', message })
            track(
              saveUntilStored(db, error.row, {
                signal: shutdown.signal,
                logger: log,
                branch: job.branch,
                publish,
              }),
            )
            return endedMessage(snapshot(job, live), error.row)
          }
          log.error({ err: error }, 'answer could not be saved')
          return {
            ...snapshot(job, live),
            status: 'error',
            error: { code: 'unknown', message: 'The answer could not be saved.' },
          }
        })
        .then(async (message) => {
          if (message.status !== 'completed') deps.onEndedShort?.()
          try {
            await finish(job, live, message, llm, log)
          } catch (error) {
            log.warn({ err: error }, 'the end of an answer could not be announced')
          }
          return message
        })
        .finally(() => running.delete(job.messageId))
      running.set(job.messageId, { run, done })
    },

    current(message) {
      const live = running.get(message.id)?.run.live
      if (live === undefined) return message
      return { ...message, content: live.text(), status: live.status() }
    },

    async close() {
      for (const { run } of running.values()) {
        run.stopReason = 'shutdown'
        run.abort.abort()
      }
      await Promise.all([...running.values()].map((r) => r.done))
      shutdown.abort()
      await Promise.allSettled([...background])
    },

    async idle() {
      await Promise.allSettled([...background])
    },
  }
}

/** The message as its end will be stored. */
function endedMessage(message: Message, row: SaveDeferred['row']): Message {
  return {
    ...message,
    content: row.content,
    status: row.status,
    error: row.errorCode !== null ? { code: row.errorCode, message: row.errorMessage ?? '' } : null,
    usage:
      row.promptTokens !== null && row.completionTokens !== null
        ? {
            promptTokens: row.promptTokens,
            completionTokens: row.completionTokens,
            cost: row.cost,
            costSource: row.cost === null ? null : (row.costSource ?? null),
          }
        : null,
    completedAt: new Date().toISOString(),
  }
}

function snapshot(job: AnswerJob, live: AnswerWriter): Message {
  return {
    id: job.messageId,
    conversationId: job.conversationId,
    parentId: job.parentId,
    branch: job.branch,
    seq: job.seq,
    role: 'assistant',
    content: live.text(),
    model: job.model,
    status: live.status(),
    error: null,
    usage: null,
    createdAt: new Date().toISOString(),
    completedAt: null,
  }
}
