import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import {
  checkpointAnswer,
  finishAnswer,
  loadContext,
  type AnswerEnd,
  type ContextMessage,
  type Database,
} from '@t3chat/db'
import { DEFAULT_CONTEXT_LENGTH, LlmError, type LlmProvider, type ModelCatalog } from '@t3chat/llm'
import { toMessage, withBranch } from '../mappers'
import type { Branch, Message } from '../shapes'
import { settleUsage, utcDay } from '../usage/cost'
import { fitContext } from './context-window'
import type { AnswerWriter } from './hub'

/** Why a generation was cut short from our side. */
export type StopReason = 'user' | 'shutdown'

/** One answer being generated on this instance. */
export interface GenerationRun {
  live: AnswerWriter
  abort: AbortController
  stopReason: StopReason | null
  model: string
  systemPrompt: string | null
  /** The seq of the answer; its context is the active path before it. */
  seq: number
  /** The user message it answers, and its place among that message's answers. */
  parentId: string | null
  branch: Branch
  /** The context, newest first, when the turn's start already read it (else it is loaded). */
  history: ContextMessage[] | null
  /** Whose provider key the answer runs on. */
  keyOwner: 'server' | 'user'
  /** Set as the stream goes: the provider's generation id, and the prompt's size. */
  generationId: string | null
  promptChars: number
}

export interface GenerationDeps {
  db: Kysely<Database>
  llm: LlmProvider
  models: ModelCatalog
  logger: Logger
  checkpointIntervalMs: number
  /** The longest answer kept (UTF-16 units); the rest is cut and the answer ends `answer_too_long`. */
  maxAnswerChars: number
  clock: () => Date
}

export const OWN_KEY_REJECTED_MESSAGE =
  'The provider rejected your own API key (set with user.setProviderKey); it may have been revoked. Set a new key, or remove yours to use the server’s.'

/** The most earlier messages an answer's context is built from (before trimming to fit). */
export const HISTORY_LIMIT = 400

export const INTERRUPTED_MESSAGE =
  'The server stopped while this answer was being generated; the text so far is kept. Send again or regenerate to get a full answer.'

/**
 * Runs one answer to its end: builds the context, streams from the provider into the live
 * stream, checkpoints the text every `checkpointIntervalMs` (never per token), and writes the
 * end in one statement. Every way out — completion, provider error, stop, shutdown — saves
 * the text received so far. The end is written only if the answer is still live: when someone
 * else ended it first (a stop from an instance that could not reach this one), their final
 * state stands and is returned.
 */
export async function runGeneration(deps: GenerationDeps, gen: GenerationRun): Promise<Message> {
  const { live } = gen
  const { messageId, conversationId } = live.key
  let end: Omit<AnswerEnd, 'id' | 'conversationId' | 'content'>
  let savedLength = 0
  const saving: { inflight: Promise<void> | null } = { inflight: null }
  const checkpoint = setInterval(() => {
    const content = live.text()
    if (saving.inflight !== null || content.length === savedLength) return
    saving.inflight = checkpointAnswer(deps.db, {
      id: messageId,
      content,
      generationId: gen.generationId,
      keyOwner: gen.keyOwner,
    })
      .then(() => {
        savedLength = content.length
      })
      .catch((error: unknown) => deps.logger.warn({ err: error, messageId }, 'checkpoint failed'))
      .finally(() => {
        saving.inflight = null
      })
  }, deps.checkpointIntervalMs)
  checkpoint.unref()

  try {
    end = await stream(deps, gen)
  } catch (error) {
    deps.logger.error({ err: error, messageId }, 'generation failed')
    end = failure('unknown', 'The answer failed on the server. Try again.')
  } finally {
    clearInterval(checkpoint)
  }
  if (gen.stopReason === 'shutdown' && end.status !== 'completed') {
    end = { ...end, ...failure('interrupted', INTERRUPTED_MESSAGE) }
  }
  // A checkpoint still in flight must not land after the end: its WHERE ignores finished rows,
  // and waiting for it keeps the statement order simple to reason about.
  await saving.inflight
  const content = live.text()
  // The provider's cost when it sent one; else an estimate. An answer cut short before its
  // usage chunk may still have been billed: the reconciler asks the provider later.
  const usage = await settleUsage(deps.models, {
    model: gen.model,
    promptChars: gen.promptChars,
    answerChars: content.length,
    promptTokens: end.promptTokens,
    completionTokens: end.completionTokens,
    cost: end.cost,
  }).catch(() => ({ ...end, costSource: null }))
  const row: AnswerEnd = {
    id: messageId,
    conversationId,
    content,
    ...end,
    ...usage,
    keyOwner: gen.keyOwner,
    generationId: gen.generationId,
    day: utcDay(deps.clock()),
    reconcile: end.status !== 'completed' && end.cost === null && gen.generationId !== null,
  }
  let ended: Awaited<ReturnType<typeof finishAnswer>>
  try {
    ended = await finishAnswer(deps.db, row)
  } catch (error) {
    throw new SaveDeferred(row, error)
  }
  if (ended.outcome === 'not_found') {
    // The conversation was deleted while the answer streamed: nothing to keep.
    throw new Error('message vanished')
  }
  return toMessage(withBranch(ended.message, gen.branch))
}

/** A token count the `integer` column holds, or null for nonsense (3e9, 1.5, negative). */
function storableCount(n: number): number | null {
  return Number.isSafeInteger(n) && n >= 0 && n <= 2_147_483_647 ? n : null
}

/** The first `length` units of `text`, never splitting a surrogate pair. */
function cutAt(text: string, length: number): string {
  if (length <= 0) return ''
  const last = text.charCodeAt(length - 1)
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length)
}

/** The end of an answer could not be written (the database is away); the runner retries it. */
export class SaveDeferred extends Error {
  override readonly name = 'SaveDeferred'
  constructor(
    readonly row: AnswerEnd,
    cause: unknown,
  ) {
    super('the end of an answer could not be saved', { cause })
  }
}

function failure(code: string, message: string) {
  return {
    status: 'error' as const,
    errorCode: code,
    errorMessage: message,
    promptTokens: null,
    completionTokens: null,
    cost: null,
  }
}

async function stream(
  deps: GenerationDeps,
  gen: GenerationRun,
): Promise<Omit<AnswerEnd, 'id' | 'conversationId' | 'content'>> {
  const { live } = gen
  const [history, model] = await Promise.all([
    gen.history ??
      loadContext(deps.db, {
        conversationId: live.key.conversationId,
        beforeSeq: gen.seq,
        limit: HISTORY_LIMIT,
      }),
    deps.models.resolve(gen.model),
  ])
  const messages = fitContext({
    systemPrompt: gen.systemPrompt,
    historyNewestFirst: history,
    contextLength: model?.contextLength ?? DEFAULT_CONTEXT_LENGTH,
  })
  if (messages === null) {
    return failure(
      'context_length_exceeded',
      `This message is too long for ${gen.model}: shorten it, or pick a model with a larger context window.`,
    )
  }
  gen.promptChars = messages.reduce((n, m) => n + m.content.length, 0)
  let promptTokens: number | null = null
  let completionTokens: number | null = null
  let cost: number | null = null
  try {
    for await (const event of deps.llm.stream({
      model: gen.model,
      messages,
      signal: gen.abort.signal,
    })) {
      if (event.type === 'delta') {
        if (live.status() === 'pending') live.setStatus('streaming')
        // Postgres text cannot hold NUL: what subscribers see is what gets stored.
        const text = event.text.includes('\u0000')
          ? event.text.replaceAll('\u0000', '\uFFFD')
          : event.text
        const room = deps.maxAnswerChars - live.text().length
        if (text.length > room) {
          live.append(cutAt(text, room))
          gen.abort.abort()
          return {
            ...failure(
              'answer_too_long',
              `The answer reached the longest this server keeps (${deps.maxAnswerChars} characters) and was cut there; the text so far is kept.`,
            ),
            promptTokens,
            completionTokens,
            cost,
          }
        }
        live.append(text)
      } else if (event.type === 'generation') {
        gen.generationId = event.id
      } else if (event.type === 'usage') {
        promptTokens = storableCount(event.promptTokens)
        completionTokens = storableCount(event.completionTokens)
        cost = event.cost !== null && Number.isFinite(event.cost) ? event.cost : null
      }
    }
  } catch (error) {
    if (!(error instanceof LlmError)) throw error
    const message =
      error.code === 'unauthorized' && gen.keyOwner === 'user'
        ? OWN_KEY_REJECTED_MESSAGE
        : error.message
    return { ...failure(error.code, message), promptTokens, completionTokens, cost }
  }
  if (gen.abort.signal.aborted) {
    return {
      status: 'cancelled',
      errorCode: null,
      errorMessage: null,
      promptTokens,
      completionTokens,
      cost,
    }
  }
  return {
    status: 'completed',
    errorCode: null,
    errorMessage: null,
    promptTokens,
    completionTokens,
    cost,
  }
}
