import type { Redis } from 'ioredis'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { TokenVerifier } from '@t3chat/auth'
import type { Database } from '@t3chat/db'
import type { LlmProvider, ModelCatalog } from '@t3chat/llm'
import type { Hub } from './chat/hub'
import type { ConcurrencyLimiter } from './chat/limiter'
import type { GenerationRunner } from './chat/runner'
import type { ApiConfig } from './config'
import type { RateLimits } from './rate-limits'
import type { SubscriptionGuard } from './subscriptions'
import type { ProviderKeys } from './usage/provider-keys'
import type { Reconciler } from './usage/reconciler'

export { defaultApiConfig, type ApiConfig } from './config'

/**
 * Everything the router needs, built once at start-up and shared by every request. Services
 * (services/, chat/turns/) are plain functions over these; none of these imports them back.
 */
export interface ApiDeps {
  db: Kysely<Database>
  verifier: TokenVerifier
  /** null in a keyless run: generation answers PRECONDITION_FAILED. */
  llm: LlmProvider | null
  models: ModelCatalog
  logger: Logger
  config: ApiConfig
  /** Live answers and user events (in-process, or shared by instances). */
  hub: Hub
  /** Concurrent answers per user. */
  limiter: ConcurrencyLimiter
  /** The answers this instance generates. */
  runner: GenerationRunner
  /** Rate limits: per user (calls, answers started, conversations created), per address (share views). */
  limits: RateLimits
  /** Caps open subscriptions and ends them when their token expires. */
  subscriptions: SubscriptionGuard
  /**
   * The shared Redis when instances share one (null: one process). Its one client may also
   * serve other shared limits (e.g. rate-limiter-flexible's `RateLimiterRedis({ storeClient })`).
   */
  redis: Redis | null
  /** Users whose row is known to exist, so authenticated calls skip the upsert. */
  knownUsers: Set<string>
  /** Users' own provider keys (sealing, checking, a provider per key) and account calls. */
  keys: ProviderKeys
  /** Asks the provider the cost of answers stopped before it was reported. */
  reconciler: Reconciler
  /** Now (budget periods, usage days); tests move it. */
  clock: () => Date
}
