import type { RateLimitConfig } from './rate-limits'
import type { SubscriptionLimits } from './subscriptions'
import type { BudgetConfig } from './usage/budget'

/** Tunables of the API layer; the server parses them from its environment. */
export interface ApiConfig {
  /** Reported by `health`. */
  version: string
  /** Used when neither the request, the conversation nor the user names a model. */
  defaultModel: string
  /** Model asked for conversation titles. */
  titleModel: string
  /** Live generations one user may have at once (TOO_MANY_REQUESTS beyond). */
  maxConcurrentGenerationsPerUser: number
  /** How often a live answer's text is saved while it streams. */
  checkpointIntervalMs: number
  /** The longest a delta may wait to share a frame with the next ones (frames widen with load). */
  frameIntervalMs: number
  /** How long `chat.stream` waits for an answer id that `chat.send` has not created yet. */
  answerWaitMs: number
  /** The longest answer kept (UTF-16 units); beyond it the answer ends `answer_too_long`. */
  maxAnswerChars: number
  /** Most content (UTF-16 units) one `message.list` page carries; at least one message always. */
  maxPageChars: number
  /** Open subscriptions allowed per user (this instance) and per WebSocket connection. */
  subscriptionLimits: SubscriptionLimits
  /** Per-user rates (a minute each; 0 = off). */
  rateLimits: RateLimitConfig
  /** The variable a person must set to enable generation (named in PRECONDITION_FAILED). */
  providerKeyVariable: string
  /** Per-user spending limits on the server's key (an operator may override them per user). */
  budgets: BudgetConfig
  /** Asking the provider the cost of stopped answers: first retry delay, cap, attempts, pass interval. */
  /**
   * Cost reconciliation: backoff of a job; `intervalMs`, the longest the loop sleeps when idle;
   * `auto: false` runs no loop (passes only through `reconciler.runOnce()`).
   */
  reconcile: {
    retryBaseMs: number
    maxDelayMs: number
    maxAttempts: number
    intervalMs: number
    auto?: boolean
  }
}

export const defaultApiConfig: ApiConfig = {
  version: '0.1.0',
  defaultModel: 'openai/gpt-4o-mini',
  titleModel: 'openai/gpt-4o-mini',
  maxConcurrentGenerationsPerUser: 3,
  checkpointIntervalMs: 2_000,
  frameIntervalMs: 50,
  answerWaitMs: 10_000,
  maxAnswerChars: 1_000_000,
  maxPageChars: 1_000_000,
  subscriptionLimits: { perUser: 100, perConnection: 50 },
  rateLimits: {
    sendsPerMin: 30,
    callsPerMin: 1_200,
    conversationsPerMin: 30,
    shareViewsPerMin: 60,
  },
  providerKeyVariable: 'OPENROUTER_API_KEY',
  budgets: { dayUsd: null, monthUsd: null, reservePerAnswerUsd: 0.01 },
  reconcile: { retryBaseMs: 2_000, maxDelayMs: 300_000, maxAttempts: 12, intervalMs: 60_000 },
}
