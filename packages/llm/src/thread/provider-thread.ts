import { parentPort, workerData } from 'node:worker_threads'
import { LlmError } from '../errors'
import { createOpenRouterProvider, type OpenRouterOptions } from '../openrouter'
import type { Model, StreamEvent } from '../provider'
import type { CompletionResult, Reply, Request, WireError } from './protocol'

// The provider thread: runs the OpenRouter provider (HTTP, SSE parsing, JSON) off the main
// event loop, and hands events back in batches.
const port = parentPort
if (port === null) throw new Error('provider-thread runs as a worker thread')

const provider = createOpenRouterProvider(workerData as OpenRouterOptions)
const aborts = new Map<number, AbortController>()
let pending = new Map<number, StreamEvent[]>()
let flushing = false

function send(reply: Reply): void {
  port?.postMessage(reply)
}

function flush(): void {
  flushing = false
  if (pending.size === 0) return
  const batch = [...pending]
  pending = new Map()
  send({ type: 'events', batch })
}

function push(id: number, event: StreamEvent): void {
  const events = pending.get(id)
  if (events === undefined) pending.set(id, [event])
  else events.push(event)
  if (!flushing) {
    flushing = true
    setImmediate(flush)
  }
}

function wireError(error: unknown): WireError {
  const e =
    error instanceof LlmError
      ? error
      : new LlmError('unknown', 'The request to the model provider failed unexpectedly.')
  return {
    code: e.code,
    message: e.message,
    status: e.status,
    retryAfterMs: e.retryAfterMs,
    retryable: e.retryable,
    detail: e.detail,
  }
}

/** Runs a completion or a model list, abortable by id like a stream. */
function call(id: number, run: (signal: AbortSignal) => Promise<CompletionResult | Model[]>): void {
  const controller = new AbortController()
  aborts.set(id, controller)
  run(controller.signal)
    .then(
      (value) => send({ type: 'result', id, value }),
      (error: unknown) => send({ type: 'error', id, error: wireError(error) }),
    )
    .finally(() => aborts.delete(id))
}

async function stream(request: Extract<Request, { type: 'stream' }>): Promise<void> {
  const controller = new AbortController()
  aborts.set(request.id, controller)
  try {
    for await (const event of provider.stream({
      model: request.model,
      messages: request.messages,
      signal: controller.signal,
      ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
    })) {
      push(request.id, event)
    }
    flush()
    send({ type: 'end', id: request.id })
  } catch (error) {
    flush()
    send({ type: 'error', id: request.id, error: wireError(error) })
  } finally {
    aborts.delete(request.id)
  }
}

port.on('message', (request: Request) => {
  switch (request.type) {
    case 'stream':
      void stream(request)
      break
    case 'abort':
      aborts.get(request.id)?.abort()
      break
    case 'complete':
      call(request.id, async (signal) => {
        let usage: CompletionResult['usage'] = null
        const text = await provider.complete({
          model: request.model,
          messages: request.messages,
          signal,
          onUsage: (u) => {
            usage = u
          },
          ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
        })
        return { text, usage }
      })
      break
    case 'models':
      call(request.id, (signal) => provider.listModels(signal))
      break
  }
})
