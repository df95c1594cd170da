/** Everything a benchmark run does, sized for a full run or for CI's quick run. */
export interface BenchConfig {
  quick: boolean
  profile: boolean
  /** Load-generator child processes. */
  workers: number
  /** The server's frame window (STREAM_FRAME_MS default), for the report. */
  frameMs: number
  warmup: { streams: number; tokens: number }
  light: { iterations: number; tokens: number }
  ramp: {
    levels: number[]
    tokens: number
    staggerMs: number
    referenceLevel: number
    pauseMs: number
  }
  memory: {
    levels: number[]
    tokens: number
    staggerMs: number
    settleMs: number
    warmup: number
    /** RSS readings per point (their median counts), `everyMs` apart. */
    samples: number
    everyMs: number
    /** Heap snapshots at the last two readings (a diagnostic: they disturb the last reading). */
    heapDiff: boolean
  }
  /** settleMs: the pause before each fd/RSS reading, longer than HTTP keep-alive timeouts. */
  soak: {
    turns: number
    warmupTurns: number
    concurrency: number
    tokens: number
    settleMs: number
  }
  sqlTurn: { tokens: number; delayMs: number }
  list: { conversations: number; messagesPerConversation: number; calls: number }
  /** Two instances on Postgres + Redis (scenarios/redis.ts). */
  redis: {
    frames: { answers: number; tokens: number }
    /** Measured resumes per kind, each ~150 ms after the last (an instance idle in between). */
    resumes: number
    /** Resumes per kind before those, back to back and not measured: the code's warm-up. */
    resumeWarmups: number
    load: { answers: number; tokens: number }
    capacity: { levels: number[]; tokens: number; staggerMs: number }
  }
}

/** One token every 20 ms: the steady 50 tokens/s stream of every scenario. */
export const TOKEN_DELAY_MS = 20

/** The fake model id of a steady stream of `tokens` tokens. */
export function loremModel(tokens: number, delayMs = TOKEN_DELAY_MS): string {
  return `fake/lorem:tokens=${tokens},delay=${delayMs}`
}

/** How long a stream of `tokens` may take before it counts as failed. */
export function streamTimeoutMs(tokens: number, delayMs = TOKEN_DELAY_MS): number {
  return tokens * delayMs + 30_000
}

export function benchConfig(opts: {
  quick: boolean
  profile: boolean
  heapDiff?: boolean
  workers?: number
  levels?: number[] | undefined
}): BenchConfig {
  const cfg = baseConfig(opts)
  if (opts.levels === undefined) return cfg
  const levels = [...opts.levels].sort((a, b) => a - b)
  const referenceLevel = levels.includes(cfg.ramp.referenceLevel)
    ? cfg.ramp.referenceLevel
    : (levels.at(-1) ?? cfg.ramp.referenceLevel)
  return { ...cfg, ramp: { ...cfg.ramp, levels, referenceLevel } }
}

function baseConfig(opts: {
  quick: boolean
  profile: boolean
  heapDiff?: boolean
  workers?: number
}): BenchConfig {
  const heapDiff = opts.heapDiff ?? false
  const workers = opts.workers ?? 2
  if (opts.quick) {
    return {
      quick: true,
      profile: opts.profile,
      workers,
      frameMs: 16,
      warmup: { streams: 6, tokens: 10 },
      light: { iterations: 6, tokens: 10 },
      ramp: { levels: [20, 50], tokens: 40, staggerMs: 300, referenceLevel: 50, pauseMs: 300 },
      memory: {
        levels: [0, 20, 40],
        tokens: 500,
        staggerMs: 200,
        settleMs: 300,
        warmup: 5,
        samples: 3,
        everyMs: 100,
        heapDiff,
      },
      soak: { turns: 200, warmupTurns: 0, concurrency: 50, tokens: 20, settleMs: 300 },
      sqlTurn: { tokens: 500, delayMs: 5 },
      list: { conversations: 1_000, messagesPerConversation: 20, calls: 50 },
      redis: {
        frames: { answers: 2, tokens: 40 },
        resumes: 4,
        resumeWarmups: 10,
        load: { answers: 10, tokens: 60 },
        capacity: { levels: [20], tokens: 40, staggerMs: 300 },
      },
    }
  }
  return {
    quick: false,
    profile: opts.profile,
    workers,
    frameMs: 16,
    warmup: { streams: 60, tokens: 20 },
    light: { iterations: 60, tokens: 15 },
    ramp: {
      levels: [100, 250, 500, 750],
      tokens: 200,
      staggerMs: 1_000,
      referenceLevel: 250,
      pauseMs: 1_000,
    },
    memory: {
      levels: [0, 250, 500],
      // Far longer than the scenario: streams must still be live at every reading (they are stopped).
      tokens: 10_000,
      staggerMs: 1_000,
      settleMs: 2_000,
      warmup: 50,
      samples: 5,
      everyMs: 200,
      heapDiff,
    },
    soak: { turns: 3_000, warmupTurns: 300, concurrency: 50, tokens: 20, settleMs: 6_000 },
    sqlTurn: { tokens: 500, delayMs: TOKEN_DELAY_MS },
    list: { conversations: 10_000, messagesPerConversation: 100, calls: 300 },
    redis: {
      frames: { answers: 20, tokens: 200 },
      resumes: 30,
      resumeWarmups: 100,
      load: { answers: 100, tokens: 300 },
      capacity: { levels: [50, 100, 200], tokens: 200, staggerMs: 1_000 },
    },
  }
}
