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

// Lapsed slots are pruned, and a retry recognised, only when the set looks full: below the
// limit, taking a slot is TIME, ZCARD, ZADD and PEXPIRE.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local active = redis.call('ZCARD', KEYS[1])
if active >= tonumber(ARGV[2]) then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  active = redis.call('ZCARD', KEYS[1])
  if active >= tonumber(ARGV[2]) and not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
    return active
  end
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return -1
`

// One ZADD and one PEXPIRE per user: KEYS are the users' slot sets; ARGV: the TTL, XX or ALL,
// then for each key the number of its answers and their ids.
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local score = now + tonumber(ARGV[1])
local i = 3
for _, key in ipairs(KEYS) do
  local n = tonumber(ARGV[i])
  local args = {}
  if ARGV[2] == 'XX' then args[1] = 'XX' end
  for j = 1, n do
    args[#args + 1] = score
    args[#args + 1] = ARGV[i + j]
  end
  i = i + n + 1
  redis.call('ZADD', key, unpack(args))
  redis.call('PEXPIRE', key, tonumber(ARGV[1]))
end
return 0
`

/** Slots are renewed at every this many heartbeats (each renewal is two commands per user). */
const RENEW_EVERY = 3

export function createRedisLimiter(redis: Redis, hub: RedisHub): ConcurrencyLimiter {
  const { keys } = hub
  // The owner renews its live answers' slots (and re-creates them if Redis lost them), every
  // RENEW_EVERY heartbeats: a slot lives slotTtlMs (10 s), a renewal comes every 4.5 s.
  let beats = 0
  hub.onHeartbeat(async (lostData) => {
    if (!lostData && beats++ % RENEW_EVERY !== 0) return
    const byUser = new Map<string, string[]>()
    for (const { userId, messageId } of hub.localAnswers()) {
      const ids = byUser.get(userId)
      if (ids === undefined) byUser.set(userId, [messageId])
      else ids.push(messageId)
    }
    if (byUser.size === 0) return
    await redis.eval(
      RENEW,
      byUser.size,
      ...[...byUser.keys()].map((userId) => keys.slots(userId)),
      TIMING.slotTtlMs,
      // Renew only: a slot released meanwhile stays released (unless Redis lost them all).
      lostData ? 'ALL' : 'XX',
      ...[...byUser.values()].flatMap((ids) => [ids.length, ...ids]),
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
