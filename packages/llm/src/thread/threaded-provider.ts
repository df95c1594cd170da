import { Worker } from 'node:worker_threads'
import { abortedError, LlmError } from '../errors'
import type { OpenRouterOptions } from '../openrouter'
import type {
  ChatMessage,
  CompletionUsage,
  LlmProvider,
  Model,
  StreamEvent,
  StreamRequest,
} from '../provider'
import type { CompletionResult, Reply, Request, WireError } from './protocol'

/** A provider whose HTTP and SSE parsing run on their own thread. */
export interface ThreadedProvider extends LlmProvider {
  /** Stops the thread; streams still open end with an error. */
  close(): Promise<void>
}

interface Waiter {
  events: StreamEvent[]
  done: boolean
  error: LlmError | null
  wake: (() => void) | null
}

interface Call {
  resolve(value: CompletionResult | Model[]): void
  reject(error: LlmError): void
}

const fromWire = (e: WireError) =>
  new LlmError(e.code, e.message, {
    status: e.status,
    retryAfterMs: e.retryAfterMs,
    retryable: e.retryable,
    detail: e.detail,
  })

/** Options of the thread itself (beside the provider's). */
export interface ThreadOptions {
  /** The script the thread runs (default: the provider thread); fault tests start one that dies. */
  bootUrl?: URL
  /** Called when the thread dies unexpectedly (it is restarted on the next request). */
  onCrash?: (error: unknown) => void
}

/**
 * The OpenRouter provider on a worker thread. Reading an upstream stream — undici's body,
 * the `openai` SDK's SSE parsing, a JSON.parse per token — is most of the CPU an answer
 * costs; on its own thread it uses the machine's second core instead of competing with the
 * subscribers for the event loop. Events come back in one message per batch.
 *
 * If the thread dies (an uncaught error, its heap limit), every stream and call it carried
 * ends with `upstream_unavailable` and the next request starts a new thread.
 *
 * @example
 * const llm = createThreadedProvider({ apiKey, baseURL })
 * for await (const event of llm.stream({ model, messages, signal })) …
 * await llm.close()
 */
export function createThreadedProvider(
  opts: OpenRouterOptions,
  thread: ThreadOptions = {},
): ThreadedProvider {
  const streams = new Map<number, Waiter>()
  const calls = new Map<number, Call>()
  let nextId = 1
  let worker: Worker | null = null
  let closed = false

  const wake = (w: Waiter) => {
    const fn = w.wake
    w.wake = null
    fn?.()
  }

  function onMessage(reply: Reply): void {
    switch (reply.type) {
      case 'events':
        for (const [id, events] of reply.batch) {
          const w = streams.get(id)
          if (w === undefined) continue
          for (const event of events) w.events.push(event)
          wake(w)
        }
        break
      case 'end':
      case 'error': {
        const w = streams.get(reply.id)
        if (w !== undefined) {
          w.done = true
          if (reply.type === 'error') w.error = fromWire(reply.error)
          wake(w)
          break
        }
        const call = calls.get(reply.id)
        calls.delete(reply.id)
        if (call !== undefined && reply.type === 'error') call.reject(fromWire(reply.error))
        break
      }
      case 'result': {
        const call = calls.get(reply.id)
        calls.delete(reply.id)
        call?.resolve(reply.value)
        break
      }
    }
  }

  /** Ends everything the thread carried: it is gone. */
  function lost(error: LlmError): void {
    for (const w of streams.values()) {
      w.done = true
      w.error = error
      wake(w)
    }
    for (const call of calls.values()) call.reject(error)
    calls.clear()
  }

  function spawn(): Worker {
    const boot = thread.bootUrl ?? new URL('./provider-thread-boot.mjs', import.meta.url)
    const w = new Worker(boot, { workerData: opts })
    w.unref()
    let failure: unknown = null
    w.on('message', onMessage)
    w.on('error', (error) => {
      failure = error
    })
    w.on('exit', (code) => {
      if (worker === w) worker = null
      if (closed) {
        lost(new LlmError('upstream_unavailable', 'The server is shutting down.'))
        return
      }
      const cause =
        failure instanceof Error ? failure : new Error(`provider thread exited with code ${code}`)
      thread.onCrash?.(cause)
      lost(
        new LlmError(
          'upstream_unavailable',
          'The connection to the model provider was lost. Try again.',
          {
            retryable: true,
            cause,
            detail: cause instanceof Error ? cause.message : String(cause),
          },
        ),
      )
    })
    return w
  }

  function post(request: Request): void {
    if (closed) throw new LlmError('upstream_unavailable', 'The server is shutting down.')
    worker ??= spawn()
    worker.postMessage(request)
  }

  function call(
    request: Request,
    signal: AbortSignal | undefined,
  ): Promise<CompletionResult | Model[]> {
    if (signal?.aborted) return Promise.reject(abortedError(signal))
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!calls.delete(request.id)) return
        worker?.postMessage({ type: 'abort', id: request.id } satisfies Request)
        if (signal !== undefined) reject(abortedError(signal))
      }
      const done = () => signal?.removeEventListener('abort', onAbort)
      calls.set(request.id, {
        resolve: (value) => {
          done()
          resolve(value)
        },
        reject: (error) => {
          done()
          reject(error)
        },
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      try {
        post(request)
      } catch (error) {
        calls.delete(request.id)
        done()
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
  }

  async function* stream(req: StreamRequest): AsyncGenerator<StreamEvent, void, undefined> {
    if (req.signal.aborted) return
    const id = nextId++
    const w: Waiter = { events: [], done: false, error: null, wake: null }
    post({
      type: 'stream',
      id,
      model: req.model,
      messages: req.messages,
      ...(req.maxTokens !== undefined ? { maxTokens: req.maxTokens } : {}),
    })
    streams.set(id, w)
    const onAbort = () => worker?.postMessage({ type: 'abort', id } satisfies Request)
    req.signal.addEventListener('abort', onAbort, { once: true })
    try {
      for (;;) {
        if (w.events.length > 0) {
          const events = w.events
          w.events = []
          for (const event of events) yield event
          continue
        }
        if (w.done) break
        await new Promise<void>((resolve) => {
          w.wake = resolve
        })
      }
      if (w.error !== null && !req.signal.aborted) throw w.error
    } finally {
      req.signal.removeEventListener('abort', onAbort)
      // A consumer that leaves early must not leave the upstream request open.
      if (!w.done) worker?.postMessage({ type: 'abort', id } satisfies Request)
      streams.delete(id)
    }
  }

  return {
    stream,
    async complete(req: {
      model: string
      messages: ChatMessage[]
      signal?: AbortSignal
      maxTokens?: number
      onUsage?: (usage: CompletionUsage) => void
    }) {
      const value = await call(
        {
          type: 'complete',
          id: nextId++,
          model: req.model,
          messages: req.messages,
          ...(req.maxTokens !== undefined ? { maxTokens: req.maxTokens } : {}),
        },
        req.signal,
      )
      if (Array.isArray(value)) return ''
      if (value.usage !== null) req.onUsage?.(value.usage)
      return value.text
    },
    async listModels(signal?: AbortSignal) {
      const value = await call({ type: 'models', id: nextId++ }, signal)
      return Array.isArray(value) ? value : []
    },
    async close() {
      closed = true
      await worker?.terminate()
    },
  }
}
