import { parentPort, workerData } from 'node:worker_threads'
import { LlmError } from '../errors'
import { createOpenRouterProvider, type OpenRouterOptions } from '../openrouter'
import type { StreamEvent } from '../provider'
import type { Reply, Request, WireError } from './protocol'

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
  }
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
      provider
        .complete({
          model: request.model,
          messages: request.messages,
          ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
        })
        .then(
          (value) => send({ type: 'result', id: request.id, value }),
          (error: unknown) => send({ type: 'error', id: request.id, error: wireError(error) }),
        )
      break
    case 'models':
      provider.listModels().then(
        (value) => send({ type: 'result', id: request.id, value }),
        (error: unknown) => send({ type: 'error', id: request.id, error: wireError(error) }),
      )
      break
  }
})
