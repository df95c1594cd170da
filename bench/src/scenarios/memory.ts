import { loremModel, streamTimeoutMs, type BenchConfig } from '../config'
import { rssKiB } from '../proc-stats'
import { round, slope, summarize } from '../stats'
import type { WorkerPool } from '../worker/pool'
import { memoryOf, sleep, streamStats, type Probe, type StreamStats } from './streams'

/** Server RSS while N long streams are live, per transport. */
export interface MemoryResult {
  transport: 'sse' | 'ws'
  points: Array<{ streams: number; live: number; rssKiB: number; fds: number }>
  /** ΔRSS/Δstreams (least squares over the points), KiB per live stream. */
  kibPerStream: number
  fdsPerStream: number
  stats: StreamStats
}

export async function measureMemory(
  pool: WorkerPool,
  probe: Probe,
  cfg: BenchConfig,
  transport: 'sse' | 'ws',
): Promise<MemoryResult> {
  const model = loremModel(cfg.memory.tokens)
  // A few short streams first, so start-up allocations (JIT code, pools) are not counted.
  const warm = loremModel(10)
  await pool.prepare(transport, cfg.memory.warmup, warm)
  await pool.run({
    mode: transport,
    count: cfg.memory.warmup,
    model: warm,
    staggerMs: 200,
    timeoutMs: streamTimeoutMs(10),
  })
  await pool.closeClients()
  const points: MemoryResult['points'] = []
  let offset = 0
  let live = 0
  for (const level of cfg.memory.levels) {
    const add = level - offset
    if (add > 0) {
      await pool.prepare(transport, add, model, offset)
      live += await pool.start({
        mode: transport,
        count: add,
        offset,
        model,
        staggerMs: cfg.memory.staggerMs,
        timeoutMs: streamTimeoutMs(cfg.memory.tokens),
      })
      offset = level
    }
    // A pause for the garbage collector to catch up with the new streams' start-up garbage.
    await sleep(cfg.memory.settleMs)
    const m = await memoryOf(probe.server, cfg.memory.samples, cfg.memory.everyMs)
    points.push({ streams: level, live, ...m })
  }
  const results = await pool.stopAll()
  await pool.closeClients()
  return {
    transport,
    points,
    kibPerStream: round(slope(points.map((p) => ({ x: p.streams, y: p.rssKiB }))), 1),
    fdsPerStream: round(slope(points.map((p) => ({ x: p.streams, y: p.fds }))), 2),
    stats: streamStats(results),
  }
}

/** Many short turns back to back: RSS and fds must come back, not grow with the turn count. */
export interface SoakResult {
  turns: number
  warmupTurns: number
  concurrency: number
  tokens: number
  durationS: number
  ok: number
  failed: number
  errors: string[]
  before: { rssKiB: number; fds: number }
  after: { rssKiB: number; fds: number }
  samples: Array<{ turns: number; rssKiB: number }>
  /** Least-squares RSS growth per 1,000 turns over the samples, KiB. */
  kibPer1kTurns: number
  ttftP50: number
  ttftP99: number
}

export async function measureSoak(
  startPool: () => Promise<WorkerPool>,
  probe: Probe,
  cfg: BenchConfig,
): Promise<SoakResult> {
  const model = loremModel(cfg.soak.tokens)
  const timeoutMs = streamTimeoutMs(cfg.soak.tokens)
  if (cfg.soak.warmupTurns > 0) {
    // Warm-up turns (not counted) so JIT code and caches are in place before "before".
    const warm = await startPool()
    await warm.soak({
      turns: cfg.soak.warmupTurns,
      concurrency: cfg.soak.concurrency,
      model,
      timeoutMs,
      onProgress: () => undefined,
    })
    await warm.close()
    await sleep(cfg.soak.settleMs)
  }
  const before = await memoryOf(probe.server)

  const pool = await startPool()
  const samples: SoakResult['samples'] = []
  const every = Math.max(1, Math.floor(cfg.soak.turns / 12))
  let done = 0
  let nextSample = every
  const started = performance.now()
  const result = await pool.soak({
    turns: cfg.soak.turns,
    concurrency: cfg.soak.concurrency,
    model,
    timeoutMs,
    onProgress(turns) {
      done += turns
      if (done >= nextSample) {
        nextSample += every
        try {
          samples.push({ turns: done, rssKiB: rssKiB(probe.server) })
        } catch {
          // the server is gone: the soak's result will say so
        }
      }
    },
  })
  const durationS = round((performance.now() - started) / 1000, 1)
  // The load generators leave: their sockets close, and the server should give back what the turns took.
  await pool.close()
  await sleep(cfg.soak.settleMs)
  const after = await memoryOf(probe.server)
  const ttft = summarize(result.ttfts)
  return {
    turns: cfg.soak.turns,
    warmupTurns: cfg.soak.warmupTurns,
    concurrency: cfg.soak.concurrency,
    tokens: cfg.soak.tokens,
    durationS,
    ok: result.ok,
    failed: result.failed,
    errors: result.errors,
    before,
    after,
    samples,
    kibPer1kTurns: round(slope(samples.map((s) => ({ x: s.turns, y: s.rssKiB }))) * 1000, 1),
    ttftP50: ttft.p50,
    ttftP99: ttft.p99,
  }
}
