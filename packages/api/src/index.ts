import type { Redis } from 'ioredis'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { TokenVerifier } from '@t3chat/auth'
import type { Database } from '@t3chat/db'
import type { LlmProvider, ModelCatalog } from '@t3chat/llm'
import type { Hub } from './chat/hub'
import { createInProcessHub } from './chat/hub-memory'
import { createMemoryLimiter, type ConcurrencyLimiter } from './chat/limiter'
import { recoverAnswers } from './chat/recovery'
import { createRedisHub } from './chat/redis/hub'
import { createRedisLimiter } from './chat/redis/limiter'
import { startReaper, type Reaper } from './chat/redis/reaper'
import { createGenerationRunner } from './chat/runner'
import { defaultApiConfig, type ApiConfig, type ApiDeps } from './deps'
import { createRateLimits } from './rate-limits'
import { createSubscriptionGuard } from './subscriptions'
import { createProviderKeys, type AccountsOptions } from './usage/provider-keys'
import { startReconciler } from './usage/reconciler'

export { appRouter, createCaller, type AppRouter } from './root'
export { createContext, type Context } from './trpc'
export { defaultApiConfig, type ApiConfig, type ApiDeps } from './deps'
export { formatError, toTRPCError } from './errors'
export type { AccountsOptions } from './usage/provider-keys'
export { createSecretBox, type SecretBox } from './usage/secret-box'
export { createRateLimits, type RateLimitConfig, type RateLimits } from './rate-limits'
export type { AnswerFrame, AnswerKey, AnswerWriter, Hub, LiveAnswer } from './chat/hub'
export type { ConcurrencyLimiter } from './chat/limiter'
export { createInProcessHub } from './chat/hub-memory'
/** The Redis hub alone: follows any instance's answers from a process that serves no API. */
export { createRedisHub, type RedisHub } from './chat/redis/hub'
export * from './shapes'
export type { ProcedureMeta } from './reference/meta'
export { openApiDocument } from './reference/openapi'

/**
 * Builds the API's dependencies once. The caller owns `db`; `close()` stops live answers
 * (saving their text) and the hub, but leaves the database open.
 *
 * @example
 * const api = createApi({ db, verifier, llm, models, logger })
 * await api.recover()
 * const caller = createCaller(createContext({ deps: api.deps, authorization: `Bearer ${token}` }))
 */
export function createApi(opts: {
  db: Kysely<Database>
  verifier: TokenVerifier
  llm: LlmProvider | null
  models: ModelCatalog
  logger: Logger
  config?: Partial<ApiConfig>
  /** Several instances: the hub, the limits and the reaper on this Redis (keys under `keyPrefix`). */
  redis?: { client: Redis; keyPrefix: string } | null
  /** Users' own provider keys and the provider's account calls (null: neither). */
  accounts?: AccountsOptions | null
  /** Now; default the system clock (tests move it across budget periods). */
  clock?: () => Date
}): { deps: ApiDeps; recover(): Promise<number>; close(): Promise<void> } {
  const config = { ...defaultApiConfig, ...opts.config }
  const { db, logger, models } = opts
  let hub: Hub
  let limiter: ConcurrencyLimiter
  let reaper: Reaper | null = null
  if (opts.redis) {
    const redisHub = createRedisHub({
      redis: opts.redis.client,
      keyPrefix: opts.redis.keyPrefix,
      frameIntervalMs: config.frameIntervalMs,
      logger,
    })
    hub = redisHub
    limiter = createRedisLimiter(opts.redis.client, redisHub)
    reaper = startReaper({ db, redis: opts.redis.client, hub: redisHub, limiter, logger })
  } else {
    hub = createInProcessHub({ frameIntervalMs: config.frameIntervalMs })
    limiter = createMemoryLimiter()
  }
  const clock = opts.clock ?? (() => new Date())
  const keys = createProviderKeys(opts.accounts ?? null)
  const reconciler = startReconciler(
    { db, keys, logger, clock, config: config.reconcile },
    { auto: config.reconcile.auto ?? true },
  )
  const runner = createGenerationRunner({
    db,
    models,
    hub,
    limiter,
    logger,
    config,
    clock,
    onEndedShort: () => reconciler.wake(),
  })
  const deps: ApiDeps = {
    db,
    verifier: opts.verifier,
    llm: opts.llm,
    models,
    logger,
    config,
    hub,
    limiter,
    runner,
    limits: createRateLimits(config.rateLimits, opts.redis?.client ?? null),
    subscriptions: createSubscriptionGuard(config.subscriptionLimits),
    redis: opts.redis?.client ?? null,
    knownUsers: new Set<string>(),
    keys,
    reconciler,
    clock,
  }
  return {
    deps,
    // One process: whatever is live was left by a crash. Several: only dead instances' answers.
    // Interrupted answers may leave costs to ask the provider for.
    recover: async () => {
      const recovered = await (reaper === null ? recoverAnswers(deps) : reaper.runOnce())
      reconciler.wake()
      return recovered
    },
    async close() {
      reaper?.stop()
      reconciler.stop()
      await runner.close()
      await hub.close()
    },
  }
}
