/**
 * Concurrent answers per user across instances: a sorted set per user of live answer ids,
 * scored by when each slot lapses. Taking a slot is one Lua script (atomic, so two instances
 * racing for the last slot cannot both win); the owner renews its answers' slots with its
 * heartbeat, so the slots of a dead instance lapse by themselves within `slotTtlMs`.
 * Times come from Redis (TIME), never from the instances' clocks.
 */
import type { Redis } from 'ioredis'
import type { ConcurrencyLimiter } from '../limiter'
import type { RedisHub } from './hub'
import { TIMING } from './keys'

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  return -1
end
local active = redis.call('ZCARD', KEYS[1])
if active >= tonumber(ARGV[2]) then return active end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return -1
`

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i, key in ipairs(KEYS) do
  if ARGV[2] == 'XX' then
    redis.call('ZADD', key, 'XX', now + tonumber(ARGV[1]), ARGV[i + 2])
  else
    redis.call('ZADD', key, now + tonumber(ARGV[1]), ARGV[i + 2])
  end
  redis.call('PEXPIRE', key, tonumber(ARGV[1]))
end
return 0
`

/** Slots are renewed at every this many heartbeats (each renewal is two commands per answer). */
const RENEW_EVERY = 3

export function createRedisLimiter(redis: Redis, hub: RedisHub): ConcurrencyLimiter {
  const { keys } = hub
  // The owner renews its live answers' slots (and re-creates them if Redis lost them), every
  // RENEW_EVERY heartbeats: a slot lives slotTtlMs (10 s), a renewal comes every 4.5 s.
  let beats = 0
  hub.onHeartbeat(async (lostData) => {
    if (!lostData && beats++ % RENEW_EVERY !== 0) return
    const answers = [...hub.localAnswers()]
    if (answers.length === 0) return
    await redis.eval(
      RENEW,
      answers.length,
      ...answers.map((a) => keys.slots(a.userId)),
      TIMING.slotTtlMs,
      // Renew only: a slot released meanwhile stays released (unless Redis lost them all).
      lostData ? 'ALL' : 'XX',
      ...answers.map((a) => a.messageId),
    )
  })
  return {
    async acquire(userId, answerId, limit) {
      const result = await redis.eval(
        ACQUIRE,
        1,
        keys.slots(userId),
        answerId,
        limit,
        TIMING.slotTtlMs,
      )
      const active = Number(result)
      return active < 0 ? { ok: true } : { ok: false, active }
    },
    async release(userId, answerId) {
      await redis.zrem(keys.slots(userId), answerId)
    },
  }
}
