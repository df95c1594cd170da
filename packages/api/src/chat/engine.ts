import { randomUUID } from 'node:crypto'
import type { AuthUser } from '@t3chat/auth'
import {
  finishAnswer,
  findConversation,
  findMessage,
  findMessageByClientId,
  findMessageBySeq,
  interruptLiveAnswers,
  startRegeneration,
  startTurn,
  type ContextMessage,
  type Message as MessageRow,
} from '@t3chat/db'
import type { ApiDeps } from '../deps'
import {
  GenerationInProgressError,
  InvalidInputError,
  NotConfiguredError,
  NotFoundError,
  RateLimitError,
} from '../errors'
import { toConversation, toMessage } from '../mappers'
import { assertKnownModel } from '../services/models'
import type { ChatEvent, Conversation, Message } from '../shapes'
import {
  HISTORY_LIMIT,
  INTERRUPTED_MESSAGE,
  runGeneration,
  type Generation,
  type GenerationRun,
} from './generation'
import { followDatabase, followLive, parseOffset, type TrackedChatEvent } from './follow'
import { generateTitle } from './title'

export interface SendInput {
  conversationId?: string | undefined
  clientMessageId: string
  /** The answer's id, chosen by the client so it can subscribe before this call returns. */
  assistantMessageId?: string | undefined
  content: string
  model?: string | undefined
  systemPrompt?: string | null | undefined
}

export interface SendResult {
  conversation: Conversation
  userMessage: Message
  assistantMessage: Message
}

/** The life of an answer: start, stream, stop, regenerate, recover. See DESIGN.md. */
export interface ChatEngine {
  send(user: AuthUser, input: SendInput): Promise<SendResult>
  regenerate(
    user: AuthUser,
    input: { conversationId: string; clientMessageId: string; model?: string | undefined },
  ): Promise<{ conversation: Conversation; assistantMessage: Message }>
  stop(user: AuthUser, messageId: string): Promise<Message>
  /** Checks access, then returns the message's events from `lastEventId` on. */
  stream(
    user: AuthUser,
    input: { messageId: string; lastEventId?: string | null | undefined },
    signal: AbortSignal,
  ): Promise<AsyncGenerator<TrackedChatEvent>>
  /** The message as it is right now: live text and status for an answer streaming here. */
  current(message: Message): Message
  /** Marks answers a crash left unfinished as `error: interrupted`. */
  recover(): Promise<number>
  /** Stops every live answer, saving its text as `interrupted`. */
  close(): Promise<void>
  /** Background jobs (titles) still running; tests and shutdown wait on this. */
  idle(): Promise<void>
}

const PREVIEW_LENGTH = 160

export function createChatEngine(deps: Omit<ApiDeps, 'engine'>): ChatEngine {
  const { db, hub, config, logger } = deps
  const generations = new Map<string, Generation>()
  const activeByUser = new Map<string, number>()
  const background = new Set<Promise<unknown>>()

  function track(job: Promise<unknown>): void {
    background.add(job)
    void job.finally(() => background.delete(job))
  }

  function reserve(userId: string): void {
    const active = activeByUser.get(userId) ?? 0
    if (active >= config.maxConcurrentGenerationsPerUser) {
      throw new RateLimitError(
        `You already have ${active} answers generating; wait for one to finish or stop it (limit ${config.maxConcurrentGenerationsPerUser}).`,
      )
    }
    activeByUser.set(userId, active + 1)
  }

  function release(userId: string): void {
    const active = (activeByUser.get(userId) ?? 1) - 1
    if (active <= 0) activeByUser.delete(userId)
    else activeByUser.set(userId, active)
  }

  function requireProvider() {
    if (deps.llm === null) {
      throw new NotConfiguredError(
        `No model provider is configured: set ${config.providerKeyVariable} on the server to enable answers.`,
      )
    }
    return deps.llm
  }

  /** Starts generating an answer that the database already holds as `pending`. */
  function launch(opts: {
    userId: string
    conversationId: string
    messageId: string
    seq: number
    model: string
    systemPrompt: string | null
    /** The context newest first, when already read; null reads it. */
    history: ContextMessage[] | null
    titleFrom: { userContent: string } | null
  }): void {
    const llm = requireProvider()
    const live = hub.open({
      messageId: opts.messageId,
      userId: opts.userId,
      conversationId: opts.conversationId,
    })
    const log = logger.child({ messageId: opts.messageId, userId: opts.userId })
    const run: GenerationRun = {
      live,
      abort: new AbortController(),
      stopReason: null,
      model: opts.model,
      systemPrompt: opts.systemPrompt,
      seq: opts.seq,
      history: opts.history,
    }
    const done = runGeneration(
      {
        db,
        llm,
        models: deps.models,
        logger: log,
        checkpointIntervalMs: config.checkpointIntervalMs,
      },
      run,
    ).then(
      (message) => {
        live.finish(message)
        deps.hub.publish(opts.userId, { type: 'message.updated', message })
        log.info(
          { status: message.status, code: message.error?.code, chars: message.content.length },
          'answer ended',
        )
        // A stopped or failed first answer still names the conversation (after the user's
        // message, without asking the title model about an answer that is not there).
        if (opts.titleFrom !== null) {
          track(
            generateTitle(deps, {
              userId: opts.userId,
              conversationId: opts.conversationId,
              userContent: opts.titleFrom.userContent,
              answer: message.status === 'completed' ? message.content : null,
            }),
          )
        }
        return message
      },
      (error: unknown) => {
        log.error({ err: error }, 'answer could not be saved')
        const message: Message = {
          ...snapshot(run),
          status: 'error',
          error: { code: 'unknown', message: 'The answer could not be saved.' },
        }
        live.finish(message)
        return message
      },
    )
    const gen: Generation = Object.assign(run, { done })
    generations.set(opts.messageId, gen)
    void gen.done.finally(() => {
      generations.delete(opts.messageId)
      release(opts.userId)
      // Late subscribers read the database from now on; the final state is already there.
      hub.release(opts.messageId)
    })
  }

  function snapshot(gen: GenerationRun): Message {
    return {
      id: gen.live.messageId,
      conversationId: gen.live.conversationId,
      seq: gen.seq,
      role: 'assistant',
      content: gen.live.text,
      model: gen.model,
      status: gen.live.status,
      error: null,
      usage: null,
      createdAt: new Date().toISOString(),
      completedAt: null,
    }
  }

  function current(message: Message): Message {
    const gen = generations.get(message.id)
    if (gen === undefined || gen.live.final !== null) return message
    return { ...message, content: gen.live.text, status: gen.live.status }
  }

  async function replay(userId: string, clientMessageId: string): Promise<SendResult | null> {
    const first = await findMessageByClientId(db, { userId, clientMessageId })
    if (first === undefined || first.role !== 'user') return null
    const [conversation, answer] = await Promise.all([
      findConversation(db, { userId, id: first.conversationId }),
      findMessageBySeq(db, { conversationId: first.conversationId, seq: first.seq + 1 }),
    ])
    if (conversation === undefined || answer === undefined) return null
    return {
      conversation: toConversation(conversation),
      userMessage: toMessage(first),
      assistantMessage: current(toMessage(answer)),
    }
  }

  return {
    async send(user, input) {
      requireProvider()
      await assertKnownModel(deps, input.model)
      reserve(user.id)
      let launched = false
      try {
        const userMessageId = randomUUID()
        const assistantMessageId = input.assistantMessageId ?? randomUUID()
        let row
        try {
          row = await startTurn(db, {
            userId: user.id,
            conversationId: input.conversationId ?? null,
            userMessageId,
            assistantMessageId,
            clientMessageId: input.clientMessageId,
            content: input.content,
            model: input.model ?? null,
            defaultModel: config.defaultModel,
            ...(input.systemPrompt !== undefined ? { systemPrompt: input.systemPrompt } : {}),
            preview: input.content.slice(0, PREVIEW_LENGTH),
            historyLimit: HISTORY_LIMIT,
          })
        } catch (error) {
          if (!isUniqueViolation(error)) throw error
          const again = await replay(user.id, input.clientMessageId)
          if (again !== null) return again
          const field =
            constraintOf(error) === 'messages_pkey' ? 'assistantMessageId' : 'clientMessageId'
          throw new InvalidInputError(`${field}: already used; send with a new id.`)
        }
        if (row === undefined) {
          // Nothing written: a retry of a send that already started, a busy conversation, or not found.
          const again = await replay(user.id, input.clientMessageId)
          if (again !== null) return again
          const conversationId = input.conversationId ?? ''
          const existing = await findConversation(db, { userId: user.id, id: conversationId })
          if (existing === undefined) throw new NotFoundError('conversation')
          throw new GenerationInProgressError(existing.activeMessageId)
        }
        const conversation = toConversation(row)
        const createdAt = row.lastMessageAt ?? row.activityAt
        const base = {
          conversationId: row.id,
          error: null,
          usage: null,
          createdAt: createdAt.toISOString(),
        }
        const userMessage: Message = {
          ...base,
          id: userMessageId,
          seq: row.lastSeq - 1,
          role: 'user',
          content: input.content,
          model: null,
          status: 'completed',
          completedAt: createdAt.toISOString(),
        }
        const assistantMessage: Message = {
          ...base,
          id: assistantMessageId,
          seq: row.lastSeq,
          role: 'assistant',
          content: '',
          model: row.currentModel,
          status: 'pending',
          completedAt: null,
        }
        launch({
          userId: user.id,
          conversationId: row.id,
          messageId: assistantMessageId,
          seq: row.lastSeq,
          model: row.currentModel,
          systemPrompt: row.systemPrompt,
          history: [{ role: 'user', content: input.content }, ...row.history],
          titleFrom:
            row.title === null && !row.titleSetByUser ? { userContent: input.content } : null,
        })
        launched = true
        hub.publish(user.id, {
          type:
            input.conversationId === undefined ? 'conversation.created' : 'conversation.updated',
          conversation,
        })
        hub.publish(user.id, { type: 'message.created', message: userMessage })
        hub.publish(user.id, { type: 'message.created', message: assistantMessage })
        return { conversation, userMessage, assistantMessage }
      } finally {
        if (!launched) release(user.id)
      }
    },

    async regenerate(user, input) {
      requireProvider()
      await assertKnownModel(deps, input.model)
      const previous = await findMessageByClientId(db, {
        userId: user.id,
        clientMessageId: input.clientMessageId,
      })
      if (previous !== undefined) {
        // The id of a user message (a chat.send) is not this regeneration's to replay.
        if (previous.role !== 'assistant')
          throw new InvalidInputError('clientMessageId: already used; regenerate with a new id.')
        const conversation = await findConversation(db, {
          userId: user.id,
          id: previous.conversationId,
        })
        if (conversation === undefined) throw new NotFoundError('conversation')
        return {
          conversation: toConversation(conversation),
          assistantMessage: current(toMessage(previous)),
        }
      }
      reserve(user.id)
      let launched = false
      try {
        const assistantMessageId = randomUUID()
        const started = await db
          .transaction()
          .execute((trx) =>
            startRegeneration(trx, {
              userId: user.id,
              conversationId: input.conversationId,
              assistantMessageId,
              clientMessageId: input.clientMessageId,
              model: input.model ?? null,
            }),
          )
          .catch((error: unknown) => {
            // Client ids are unique across users: someone else's id is a bad id, not a 500.
            if (!isUniqueViolation(error)) throw error
            throw new InvalidInputError('clientMessageId: already used; regenerate with a new id.')
          })
        if (started === undefined) throw new NotFoundError('conversation')
        if (started === 'busy') throw new GenerationInProgressError(null)
        if (started === 'empty')
          throw new InvalidInputError(
            'conversationId: the conversation has no message to answer yet.',
          )
        const { conversation: row, assistant } = started
        launch({
          userId: user.id,
          conversationId: row.id,
          messageId: assistant.id,
          seq: assistant.seq,
          model: row.currentModel,
          systemPrompt: row.systemPrompt,
          history: null,
          titleFrom:
            row.title === null && !row.titleSetByUser
              ? { userContent: started.userMessage.content }
              : null,
        })
        launched = true
        const conversation = toConversation(row)
        const assistantMessage = toMessage(assistant)
        hub.publish(user.id, { type: 'conversation.updated', conversation })
        hub.publish(user.id, { type: 'message.created', message: assistantMessage })
        return { conversation, assistantMessage }
      } finally {
        if (!launched) release(user.id)
      }
    },

    async stop(user, messageId) {
      const gen = generations.get(messageId)
      if (gen !== undefined && gen.live.userId === user.id) {
        gen.stopReason ??= 'user'
        gen.abort.abort()
        return gen.done
      }
      const row = await findMessage(db, { userId: user.id, id: messageId })
      if (row === undefined) throw new NotFoundError('message')
      if (row.status !== 'pending' && row.status !== 'streaming') return toMessage(row)
      // Live nowhere we can reach (its server died): end it here with the text it has.
      const ended = await finishAnswer(db, endedAs(row, 'cancelled'))
      const message = toMessage(ended ?? row)
      hub.publish(user.id, { type: 'message.updated', message })
      return message
    },

    async stream(user, input, signal) {
      const offset = parseOffset(input.lastEventId)
      const live = hub.get(input.messageId)
      if (live !== undefined && live.userId === user.id) return followLive(live, offset, signal)
      const row = await findMessage(db, { userId: user.id, id: input.messageId })
      if (row === undefined) {
        // A client may subscribe to the answer id it passed to chat.send before that call has
        // created it (one round trip instead of two): wait briefly for it to go live.
        const awaited = await hub.waitFor(input.messageId, config.answerWaitMs, signal)
        if (awaited === undefined || awaited.userId !== user.id) throw new NotFoundError('message')
        return followLive(awaited, offset, signal)
      }
      // It may have gone live (or finished) between the two reads: prefer the live stream.
      const raced = hub.get(input.messageId)
      if (raced !== undefined) return followLive(raced, offset, signal)
      return followDatabase(
        {
          load: () =>
            findMessage(db, { userId: user.id, id: input.messageId }).then(
              (m) => m && toMessage(m),
            ),
        },
        toMessage(row),
        offset,
        signal,
      )
    },

    current,

    async recover() {
      const failed = await interruptLiveAnswers(db, {
        errorCode: 'interrupted',
        errorMessage: INTERRUPTED_MESSAGE,
      })
      if (failed.length > 0)
        logger.warn({ count: failed.length }, 'marked answers interrupted by a restart')
      return failed.length
    },

    async close() {
      for (const gen of generations.values()) {
        gen.stopReason = 'shutdown'
        gen.abort.abort()
      }
      await Promise.all([...generations.values()].map((g) => g.done))
      await Promise.allSettled([...background])
    },

    async idle() {
      await Promise.allSettled([...background])
    },
  }
}

function endedAs(row: MessageRow, status: 'cancelled') {
  return {
    id: row.id,
    conversationId: row.conversationId,
    content: row.content,
    status,
    errorCode: null,
    errorMessage: null,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    cost: row.cost,
  }
}

function constraintOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'constraint' in error
    ? error.constraint
    : undefined
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505'
}

export type { ChatEvent }
