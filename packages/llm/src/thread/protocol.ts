import type { LlmErrorCode } from '../errors'
import type { ChatMessage, CompletionUsage, Model, StreamEvent } from '../provider'

/** Main thread → provider thread. */
export type Request =
  | { type: 'stream'; id: number; model: string; messages: ChatMessage[]; maxTokens?: number }
  /** Cancels a stream, a completion or a model list. */
  | { type: 'abort'; id: number }
  | { type: 'complete'; id: number; model: string; messages: ChatMessage[]; maxTokens?: number }
  | { type: 'models'; id: number }

/** An LlmError as it crosses threads. */
export interface WireError {
  code: LlmErrorCode
  message: string
  status: number | null
  retryAfterMs: number | null
  retryable: boolean
  detail: string | null
}

/**
 * Provider thread → main thread. Stream events of every request go out together, one message
 * per turn of the worker's event loop, so the cost of crossing threads is paid per batch, not
 * per token.
 */
export type Reply =
  | { type: 'events'; batch: Array<[id: number, events: StreamEvent[]]> }
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'result'; id: number; value: CompletionResult | Model[] }

/** A completion's text and, when the upstream reported it, its usage. */
export interface CompletionResult {
  text: string
  usage: CompletionUsage | null
}
