/**
 * Every Redis key and channel t3chat uses, under one prefix (`REDIS_KEY_PREFIX`), and the
 * timings the Redis implementation shares.
 */
export interface RedisKeys {
  /**
   * Stream of an answer's frames (frames.ts). Until 2026-12-02 `answer:<id>`, in a format of
   * seven strings an entry: the new name keeps the versions apart during a rolling deploy.
   */
  answer(messageId: string): string
  /** A live answer's user, conversation and owner instance (JSON). Gone once it has ended. */
  answerMeta(messageId: string): string
  /** Capped stream of a user's events. */
  userEvents(userId: string): string
  /** An instance's heartbeat (short TTL). */
  instance(instanceId: string): string
  /** Pub/sub channel of stop requests for an instance's answers. */
  stops(instanceId: string): string
  /** Sorted set of a user's live answers (score: when the slot lapses without renewal). */
  slots(userId: string): string
  /** Held by the instance whose reaper runs this round. */
  reaperLock(): string
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    answer: (id) => `${prefix}frames:${id}`,
    answerMeta: (id) => `${prefix}answer:${id}:live`,
    userEvents: (id) => `${prefix}user:${id}:events`,
    instance: (id) => `${prefix}instance:${id}`,
    stops: (id) => `${prefix}stop:${id}`,
    slots: (id) => `${prefix}slots:${id}`,
    reaperLock: () => `${prefix}reaper`,
  }
}

/** Liveness and retention, in ms. */
export const TIMING = {
  heartbeatEveryMs: 1_500,
  heartbeatTtlMs: 5_000,
  /** A concurrency slot lapses this long after its owner stops renewing it. */
  slotTtlMs: 10_000,
  reaperEveryMs: 2_000,
  /** An owner is dead once its heartbeat has been missing this long (survives a Redis flush). */
  deadAfterMissingMs: 3_000,
  /** An answer's frames stay this long after its end (late followers, resumes). */
  endedAnswerTtlMs: 10 * 60_000,
  /** Upper bound for a live answer's keys, should every owner vanish without a reaper. */
  liveAnswerTtlMs: 24 * 3_600_000,
  userEventsTtlMs: 24 * 3_600_000,
  /** An instance pushes back a user's event feed expiry at most this often. */
  userEventsRenewMs: 3_600_000,
  userEventsKept: 500,
  /** A follower with no news for this long checks that its answer still exists. */
  followerCheckMs: 5_000,
} as const
