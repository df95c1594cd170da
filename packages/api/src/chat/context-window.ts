import type { ChatMessage } from '@t3chat/llm'

/**
 * A deliberately pessimistic token estimate: about 3 ASCII characters per token (real
 * tokenisers average ~4), every other UTF-16 unit a token of its own (CJK, emoji), plus a
 * few tokens of per-message overhead. Over-estimating only trims history a little early;
 * under-estimating would fail the request upstream.
 */
export function estimateTokens(text: string): number {
  let ascii = 0
  let other = 0
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 128) ascii++
    else other++
  }
  return Math.ceil(ascii / 3) + other + 4
}

/** Tokens kept free for the answer itself. */
export function answerReserve(contextLength: number): number {
  return Math.min(4_096, Math.floor(contextLength / 4))
}

/**
 * Fits a conversation into a model's context window: the system prompt and the newest
 * message always stay; older history is added newest first while it fits, and stops at the
 * first message that does not (so the model sees a contiguous recent past).
 * Returns null when the system prompt and the newest message alone do not fit.
 *
 * @param historyNewestFirst the visible history, newest first, the new user message first of all
 */
export function fitContext(opts: {
  systemPrompt: string | null
  historyNewestFirst: ChatMessage[]
  contextLength: number
}): ChatMessage[] | null {
  const [latest, ...older] = opts.historyNewestFirst
  if (latest === undefined) return null
  let budget = opts.contextLength - answerReserve(opts.contextLength)
  if (opts.systemPrompt) budget -= estimateTokens(opts.systemPrompt)
  budget -= estimateTokens(latest.content)
  if (budget < 0) return null
  const kept: ChatMessage[] = [latest]
  for (const message of older) {
    const cost = estimateTokens(message.content)
    if (cost > budget) break
    budget -= cost
    kept.push(message)
  }
  kept.reverse()
  return opts.systemPrompt ? [{ role: 'system', content: opts.systemPrompt }, ...kept] : kept
}
