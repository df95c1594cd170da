/** Who wrote a message in the prompt sent to a model. */
export type ChatRole = 'system' | 'user' | 'assistant'

/** One message of the prompt sent to a model. */
export interface ChatMessage {
  role: ChatRole
  content: string
}

/** One streamed completion request. */
export interface StreamRequest {
  /** OpenRouter model id, e.g. `openai/gpt-4o-mini` (variant suffixes like `:nitro` allowed). */
  model: string
  messages: ChatMessage[]
  /** Aborting it ends the stream silently and closes the upstream request. */
  signal: AbortSignal
  maxTokens?: number
}

/**
 * What a stream yields: one `generation` (the provider's id of it, as soon as the first chunk
 * names it), `delta`s in order, then (when the upstream reports it) one `usage`, then exactly
 * one `finish` as the last event of a successful stream.
 */
export type StreamEvent =
  | { type: 'generation'; id: string }
  | { type: 'delta'; text: string }
  | { type: 'usage'; promptTokens: number; completionTokens: number; cost: number | null }
  | { type: 'finish'; reason: string | null }

/** Tokens and cost (USD, null when not reported) of one completion. */
export interface CompletionUsage {
  promptTokens: number
  completionTokens: number
  cost: number | null
}

/** A model as listed by the upstream `GET /models`. */
export interface Model {
  id: string
  name: string
  contextLength: number | null
  /** USD per token, as strings exactly as OpenRouter gives them. */
  pricing: { prompt: string; completion: string } | null
}

/**
 * A chat model provider. The only implementation is OpenRouter (or any OpenAI-compatible
 * endpoint); tests run it against the fake upstream from `@t3chat/llm/fake`.
 *
 * @example
 * ```ts
 * const llm = createOpenRouterProvider({ apiKey })
 * for await (const ev of llm.stream({ model: 'openai/gpt-4o-mini', messages, signal })) {
 *   if (ev.type === 'delta') process.stdout.write(ev.text)
 * }
 * ```
 */
export interface LlmProvider {
  /** Streams one completion. Throws LlmError (never another error type) on failure; ends silently when `signal` aborts. */
  stream(req: StreamRequest): AsyncIterable<StreamEvent>
  /** Non-streaming short completion (used for titles). Throws LlmError. */
  complete(req: {
    model: string
    messages: ChatMessage[]
    signal?: AbortSignal
    maxTokens?: number
    /** Called with the completion's usage when the upstream reports it. */
    onUsage?: (usage: CompletionUsage) => void
  }): Promise<string>
  /** Raw model list from the upstream `GET /models`. Throws LlmError. */
  listModels(signal?: AbortSignal): Promise<Model[]>
}
