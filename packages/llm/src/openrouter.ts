import OpenAI from 'openai'
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions'
import { abortedError, LlmError, llmTimeoutError } from './errors'
import { parseModelList } from './model-list'
import { createEventStreamClient } from './event-stream'
import { field, llmErrorFromBody, responseError, toLlmError } from './openai-errors'
import type {
  ChatMessage,
  CompletionUsage,
  LlmProvider,
  Model,
  StreamEvent,
  StreamRequest,
} from './provider'
import { retryDelay, sleep, type RetryPolicy } from './retry'
import { StreamWatchdog } from './stream-watchdog'

/** Options of {@link createOpenRouterProvider}. */
export interface OpenRouterOptions {
  apiKey: string
  /** Any OpenAI-compatible base URL. Default `https://openrouter.ai/api/v1`. */
  baseURL?: string
  /** Sent as `HTTP-Referer` (OpenRouter app attribution). */
  appUrl?: string
  /** Sent as `X-Title` (OpenRouter app attribution). */
  appName?: string
  /** From request start to the first text delta. Default 60 s. */
  firstTokenTimeoutMs?: number
  /** Longest silence between chunks once the answer has started. Default 60 s. */
  idleTimeoutMs?: number
  /** Retries before the first token (429, 408, 502, 503, timeouts, connection errors). Default 2. */
  maxRetries?: number
  /** Base of the exponential backoff. Default 500 ms. */
  retryBaseMs?: number
  /** Cap on any wait between attempts, `Retry-After` included. Default 20 s. */
  maxRetryDelayMs?: number
}

export const OPENROUTER_BASE_URL = 'https://openrouter.ai/api/v1'

/** Calls `child.abort()` when `parent` aborts; returns the unlink function. */
function linkAbort(parent: AbortSignal | undefined, child: AbortController): () => void {
  if (!parent) return () => undefined
  if (parent.aborted) {
    child.abort()
    return () => undefined
  }
  const onAbort = (): void => child.abort()
  parent.addEventListener('abort', onAbort, { once: true })
  return () => parent.removeEventListener('abort', onAbort)
}

/** OpenRouter's `usage` object (counts may be missing or odd: they become 0). */
function usageOf(usage: object): CompletionUsage {
  const u = usage as { prompt_tokens?: unknown; completion_tokens?: unknown; cost?: unknown }
  return {
    promptTokens: typeof u.prompt_tokens === 'number' ? u.prompt_tokens : 0,
    completionTokens: typeof u.completion_tokens === 'number' ? u.completion_tokens : 0,
    cost: typeof u.cost === 'number' && Number.isFinite(u.cost) ? u.cost : null,
  }
}

/** A 200 response that carries no answer at all (the detail says what it was, for the log). */
function notAnAnswer(detail: string): LlmError {
  return new LlmError(
    'upstream_unavailable',
    'The model provider sent no answer (its response was empty or not a chat completion). Try again, or choose another model.',
    { retryable: true, detail },
  )
}

/**
 * The OpenRouter provider: answers stream over our own keep-alive connections
 * (event-stream.ts), titles and the model list go through the official `openai` SDK.
 *
 * @example
 * ```ts
 * const llm = createOpenRouterProvider({ apiKey: env.OPENROUTER_API_KEY, appName: 't3chat' })
 * const title = await llm.complete({ model: 'openai/gpt-4o-mini', messages })
 * ```
 */
export function createOpenRouterProvider(opts: OpenRouterOptions): LlmProvider {
  const firstTokenTimeoutMs = opts.firstTokenTimeoutMs ?? 60_000
  const idleTimeoutMs = opts.idleTimeoutMs ?? 60_000
  const policy: RetryPolicy = {
    maxRetries: opts.maxRetries ?? 2,
    baseMs: opts.retryBaseMs ?? 500,
    maxDelayMs: opts.maxRetryDelayMs ?? 20_000,
  }
  const defaultHeaders: Record<string, string> = {}
  if (opts.appUrl) defaultHeaders['HTTP-Referer'] = opts.appUrl
  if (opts.appName) defaultHeaders['X-Title'] = opts.appName

  const baseURL = opts.baseURL ?? OPENROUTER_BASE_URL
  const client = new OpenAI({
    apiKey: opts.apiKey,
    baseURL,
    // We retry ourselves, and only before the first token.
    maxRetries: 0,
    // Our own first-token timeout is the real bound; this only guards the SDK's header wait.
    timeout: Math.max(firstTokenTimeoutMs, idleTimeoutMs) + 5_000,
    defaultHeaders,
    // Explicit nulls stop the SDK from picking up OPENAI_* variables meant for OpenAI.
    organization: null,
    project: null,
    webhookSecret: null,
    logLevel: 'off',
  })

  // The answer streams, the hot path, skip the SDK (event-stream.ts says why).
  const upstream = createEventStreamClient(baseURL)
  const headers: Record<string, string> = {
    ...defaultHeaders,
    authorization: `Bearer ${opts.apiKey}`,
    'content-type': 'application/json',
    accept: 'text/event-stream',
    'user-agent': 't3chat',
  }

  async function* stream(req: StreamRequest): AsyncGenerator<StreamEvent, void, undefined> {
    const { signal } = req
    const payload = JSON.stringify({
      model: req.model,
      messages: req.messages,
      stream: true as const,
      stream_options: { include_usage: true },
      // OpenRouter's legacy usage switch: ignored today, harmless, and keeps older deployments honest.
      usage: { include: true },
      ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
    })
    let emitted = false
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) return
      const controller = new AbortController()
      const unlink = linkAbort(signal, controller)
      const watchdog = new StreamWatchdog(firstTokenTimeoutMs, idleTimeoutMs, () =>
        controller.abort(),
      )
      let failure: LlmError | null = null
      let finishReason: string | null = null
      let completed = false
      try {
        const res = await upstream.post('chat/completions', payload, headers, controller.signal)
        if (res.status < 200 || res.status > 299) throw await responseError(res)
        const type = res.header('content-type') ?? ''
        // An HTML page or plain JSON under status 200 (a proxy, a wrong base URL) is no answer.
        if (!type.includes('text/event-stream')) {
          res.discard()
          throw notAnAnswer(`content-type ${type || 'none'}`)
        }
        let named = false
        let done = false
        for await (const data of res.events()) {
          // What follows `[DONE]` is read (the connection stays reusable) and ignored.
          if (done) continue
          if (data.startsWith('[DONE]')) {
            done = true
            continue
          }
          // A garbled chunk throws SyntaxError: the connection broke, as far as we can tell.
          const chunk: unknown = JSON.parse(data)
          const error = field(chunk, 'error')
          // OpenRouter reports a failure after the 200 as a chunk carrying `error`.
          if (error) throw llmErrorFromBody(error)
          const now = Date.now()
          const id = field(chunk, 'id')
          if (!named && typeof id === 'string' && id !== '') {
            named = true
            yield { type: 'generation', id }
          }
          const choices = field(chunk, 'choices')
          const choice: unknown = Array.isArray(choices) ? choices[0] : undefined
          if (choice !== undefined) {
            const text = field(field(choice, 'delta'), 'content')
            if (typeof text === 'string' && text !== '') {
              if (emitted) watchdog.touch(now)
              else {
                emitted = true
                watchdog.firstToken(now)
              }
              yield { type: 'delta', text }
            } else watchdog.touch(now)
            const reason = field(choice, 'finish_reason')
            if (typeof reason === 'string' && reason !== '') finishReason = reason
          } else watchdog.touch(now)
          const usage = field(chunk, 'usage')
          if (typeof usage === 'object' && usage !== null)
            yield { type: 'usage', ...usageOf(usage) }
        }
        completed = true
      } catch (err) {
        if (!signal.aborted && watchdog.tripped === null) failure = toLlmError(err)
      } finally {
        watchdog.stop()
        unlink()
        // A consumer that stops iterating early must not leave the upstream request open.
        if (!completed) controller.abort()
      }
      if (signal.aborted) return
      if (watchdog.tripped !== null) {
        const ms = watchdog.tripped === 'idle' ? idleTimeoutMs : firstTokenTimeoutMs
        failure = llmTimeoutError(watchdog.tripped, ms)
      } else if (failure === null && !emitted && finishReason === null) {
        failure = notAnAnswer('an event stream without a single choice')
      } else if (failure === null && finishReason === 'error') {
        failure = new LlmError(
          'upstream_unavailable',
          'The model failed while answering. Try again, or choose another model.',
          { retryable: true },
        )
      }
      if (failure === null) {
        yield { type: 'finish', reason: finishReason }
        return
      }
      if (emitted || !failure.retryable || attempt >= policy.maxRetries) throw failure
      await sleep(retryDelay(policy, attempt, failure.retryAfterMs), signal)
    }
  }

  async function complete(req: {
    model: string
    messages: ChatMessage[]
    signal?: AbortSignal
    maxTokens?: number
    onUsage?: (usage: CompletionUsage) => void
  }): Promise<string> {
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: req.model,
      messages: req.messages,
      stream: false,
      ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
    }
    for (let attempt = 0; ; attempt++) {
      if (req.signal?.aborted) throw abortedError(req.signal)
      const controller = new AbortController()
      const unlink = linkAbort(req.signal, controller)
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        controller.abort()
      }, firstTokenTimeoutMs)
      let failure: LlmError
      try {
        const res: unknown = await client.chat.completions.create(body, {
          signal: controller.signal,
        })
        const choices = field(res, 'choices')
        const error = field(res, 'error')
        if (Array.isArray(choices) && choices.length > 0) {
          const usage = field(res, 'usage')
          if (req.onUsage !== undefined && typeof usage === 'object' && usage !== null)
            req.onUsage(usageOf(usage))
          const content = field(field(choices[0], 'message'), 'content')
          return typeof content === 'string' ? content : ''
        }
        // OpenRouter may answer 200 with an `error` body instead of choices; anything else
        // (an HTML page, unrelated JSON) is no answer.
        failure =
          error !== undefined
            ? llmErrorFromBody(error)
            : notAnAnswer(typeof res === 'string' ? res : JSON.stringify(res))
      } catch (err) {
        if (req.signal?.aborted) throw abortedError(req.signal)
        failure = timedOut ? llmTimeoutError('first-token', firstTokenTimeoutMs) : toLlmError(err)
      } finally {
        clearTimeout(timer)
        unlink()
      }
      if (!failure.retryable || attempt >= policy.maxRetries) throw failure
      await sleep(retryDelay(policy, attempt, failure.retryAfterMs), req.signal)
    }
  }

  async function listModels(signal?: AbortSignal): Promise<Model[]> {
    try {
      const raw = await client.get<unknown>('/models', signal ? { signal } : {})
      return parseModelList(raw)
    } catch (err) {
      if (signal?.aborted) throw abortedError(signal)
      throw toLlmError(err)
    }
  }

  return { stream, complete, listModels }
}
