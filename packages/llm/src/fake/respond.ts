import type { ServerResponse } from 'node:http'
import { errorBody } from './errors'
import type { ErrorPlan, StreamPlan } from './plan'

/** Identity and accounting of one completion. */
export interface CompletionMeta {
  id: string
  model: string
  created: number
  promptTokens: number
  /** false: the stream ends without its usage chunk (an upstream that does not report it). */
  usage: boolean
  /** Called once the response is over with the number of tokens that went out. */
  onEnd?: (tokens: number) => void
}

const PROCESSING = ': OPENROUTER PROCESSING\n\n'

/** The fake's price list: USD per token, matching the pricing it lists in `/models`. */
export const FAKE_PROMPT_PRICE = 0.0000005
export const FAKE_COMPLETION_PRICE = 0.000001

/** What the fake bills for a generation. */
export function fakeCost(promptTokens: number, completionTokens: number): number {
  return completionTokens * FAKE_COMPLETION_PRICE + promptTokens * FAKE_PROMPT_PRICE
}

function usageJson(promptTokens: number, completionTokens: number): string {
  const cost = fakeCost(promptTokens, completionTokens)
  return JSON.stringify({
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    cost,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  })
}

/** Answers an HTTP error with OpenRouter's body (and `Retry-After` when planned). */
export function sendError(
  res: ServerResponse,
  plan: Pick<ErrorPlan, 'status' | 'message' | 'retryAfter' | 'metadata'>,
): void {
  const body = errorBody(plan.status, plan.message, plan.metadata)
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  }
  if (plan.retryAfter !== null) headers['Retry-After'] = plan.retryAfter
  res.writeHead(plan.status, headers).end(body)
}

/** Answers a non-streaming request with one `chat.completion` (a stall never answers). */
export function sendCompletion(res: ServerResponse, plan: StreamPlan, meta: CompletionMeta): void {
  if (plan.end.kind === 'stall') return
  if (plan.end.kind === 'error') {
    sendError(res, {
      status: plan.end.code,
      message: plan.end.message,
      retryAfter: null,
      metadata: {},
    })
    return
  }
  const text = plan.tokens.join('')
  const body = `{"id":"${meta.id}","object":"chat.completion","created":${meta.created},"model":${JSON.stringify(meta.model)},"choices":[{"index":0,"message":{"role":"assistant","content":${JSON.stringify(text)}},"finish_reason":"${plan.finishReason}"}],"usage":${usageJson(meta.promptTokens, plan.tokens.length)}}`
  res
    .writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    })
    .end(body)
}

/**
 * Streams a plan as OpenRouter-style SSE. Everything that does not change per token is built
 * once here; a token costs one string concatenation and one write, and a paced stream uses
 * a single interval timer.
 */
export function sendStream(res: ServerResponse, plan: StreamPlan, meta: CompletionMeta): void {
  const head = `data: {"id":"${meta.id}","object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)},`
  const firstPrefix = `${head}"choices":[{"index":0,"delta":{"role":"assistant","content":`
  const prefix = `${head}"choices":[{"index":0,"delta":{"content":`
  const suffix = '},"finish_reason":null}]}\n\n'
  const { encoded, end } = plan
  const count = encoded.length
  let next = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
  })
  res.flushHeaders()
  res.on('close', () => {
    clearTimeout(timer)
    meta.onEnd?.(next)
  })

  const tokenChunk = (i: number): string =>
    (i === 0 ? firstPrefix : prefix) + (encoded[i] ?? '""') + suffix

  const finish = (): void => {
    timer = undefined
    if (end.kind === 'stall') return
    let tail = count === 0 ? tokenChunk(0) : ''
    if (end.kind === 'error') {
      tail += `${head}"error":{"code":${end.code},"message":${JSON.stringify(end.message)}},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}\n\n`
      res.end(tail)
      return
    }
    tail += `${head}"choices":[{"index":0,"delta":{},"finish_reason":"${plan.finishReason}"}]}\n\n`
    if (meta.usage)
      tail += `${head}"choices":[],"usage":${usageJson(meta.promptTokens, count)}}\n\n`
    tail += 'data: [DONE]\n\n'
    res.end(tail)
  }

  const tick = (): void => {
    res.write(tokenChunk(next++))
    if (next >= count) {
      clearInterval(timer)
      finish()
    }
  }

  const startTokens = (): void => {
    timer = undefined
    if (count === 0) return finish()
    if (plan.delayMs > 0) {
      tick()
      if (next < count) timer = setInterval(tick, plan.delayMs)
      return
    }
    // Unpaced: every token is still its own SSE event, but all leave in one write.
    let burst = ''
    for (; next < count; next++) burst += tokenChunk(next)
    res.write(burst)
    finish()
  }

  const afterComments = (): void => {
    if (plan.firstMs > 0) timer = setTimeout(startTokens, plan.firstMs)
    else startTokens()
  }

  if (plan.comments === 0) return afterComments()
  let sent = 0
  timer = setInterval(() => {
    res.write(PROCESSING)
    if (++sent >= plan.comments) {
      clearInterval(timer)
      afterComments()
    }
  }, plan.commentIntervalMs)
}
