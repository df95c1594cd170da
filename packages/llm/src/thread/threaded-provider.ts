import { Worker } from 'node:worker_threads'
import { LlmError } from '../errors'
import type { OpenRouterOptions } from '../openrouter'
import type { ChatMessage, LlmProvider, Model, StreamEvent, StreamRequest } from '../provider'
import type { Reply, Request, WireError } from './protocol'

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
  resolve(value: string | Model[]): void
  reject(error: LlmError): void
}

const fromWire = (e: WireError) =>
  new LlmError(e.code, e.message, {
    status: e.status,
    retryAfterMs: e.retryAfterMs,
    retryable: e.retryable,
  })

/**
 * The OpenRouter provider on a worker thread. Reading an upstream stream — undici's body,
 * the `openai` SDK's SSE parsing, a JSON.parse per token — is most of the CPU an answer
 * costs; on its own thread it uses the machine's second core instead of competing with the
 * subscribers for the event loop. Events come back in one message per batch.
 *
 * @example
 * const llm = createThreadedProvider({ apiKey, baseURL })
 * for await (const event of llm.stream({ model, messages, signal })) …
 * await llm.close()
 */
export function createThreadedProvider(opts: OpenRouterOptions): ThreadedProvider {
  const worker = new Worker(new URL('./provider-thread-boot.mjs', import.meta.url), {
    workerData: { ...opts, fetch: undefined },
  })
  worker.unref()
  const streams = new Map<number, Waiter>()
  const calls = new Map<number, Call>()
  let nextId = 1
  let dead: LlmError | null = null

  const wake = (w: Waiter) => {
    const fn = w.wake
    w.wake = null
    fn?.()
  }

  worker.on('message', (reply: Reply) => {
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
  })
  worker.on('error', (error) => {
    dead = new LlmError('unknown', 'The model provider thread failed; restart the server.', {
      cause: error,
    })
    for (const w of streams.values()) {
      w.done = true
      w.error = dead
      wake(w)
    }
    for (const call of calls.values()) call.reject(dead)
    calls.clear()
  })

  function post(request: Request): void {
    worker.postMessage(request)
  }

  function call(request: Request): Promise<string | Model[]> {
    if (dead !== null) return Promise.reject(dead)
    return new Promise((resolve, reject) => {
      calls.set(request.id, { resolve, reject })
      post(request)
    })
  }

  async function* stream(req: StreamRequest): AsyncGenerator<StreamEvent, void, undefined> {
    if (dead !== null) throw dead
    if (req.signal.aborted) return
    const id = nextId++
    const w: Waiter = { events: [], done: false, error: null, wake: null }
    streams.set(id, w)
    const onAbort = () => post({ type: 'abort', id })
    req.signal.addEventListener('abort', onAbort, { once: true })
    post({
      type: 'stream',
      id,
      model: req.model,
      messages: req.messages,
      ...(req.maxTokens !== undefined ? { maxTokens: req.maxTokens } : {}),
    })
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
      if (!w.done) post({ type: 'abort', id })
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
    }) {
      req.signal?.throwIfAborted()
      const value = await call({
        type: 'complete',
        id: nextId++,
        model: req.model,
        messages: req.messages,
        ...(req.maxTokens !== undefined ? { maxTokens: req.maxTokens } : {}),
      })
      return typeof value === 'string' ? value : ''
    },
    async listModels() {
      const value = await call({ type: 'models', id: nextId++ })
      return Array.isArray(value) ? value : []
    },
    async close() {
      await worker.terminate()
    },
  }
}
