import { loremModel, streamTimeoutMs, type BenchConfig } from '../config'
import { perStreamGrowth, type Inspector } from '../inspector'
import { rssKiB } from '../proc-stats'
import { round, slope, summarize } from '../stats'
import type { WorkerPool } from '../worker/pool'
import { memoryOf, sleep, streamStats, type Probe, type StreamStats } from './streams'

/** Server RSS while N long streams are live, per transport. */
export interface MemoryResult {
  transport: 'sse' | 'ws'
  /** Each reading follows a forced full GC (through the inspector) and a short pause. */
  points: Array<{
    streams: number
    live: number
    rssKiB: number
    heapKiB: number
    fds: number
    /** The text the live answers had sent by then (KiB at one byte per character: lorem is ASCII). */
    textKiB: number
  }>
  /** ΔRSS/Δlive streams (least squares over the points), KiB per live stream. */
  kibPerStream: number
  /** The same for the JS heap in use after GC: what a stream's objects really hold. */
  heapKibPerStream: number
  /**
   * The heap slope without the answers' text (each live answer keeps its text for late
   * followers and resumes; it grows with the answer, 10,000 tokens here, and with how long the
   * readings took): the machinery a stream costs.
   */
  heapKibPerStreamWithoutText: number
  fdsPerStream: number
  stats: StreamStats
  /** With `--heap-diff`: what the last batch of streams added to the heap, per stream, by kind. */
  heapGrowth?: ReturnType<typeof perStreamGrowth>
}

/** A full GC (twice: weak references and finalizers free more on the second), then readings. */
export async function settledMemory(
  pid: number,
  inspector: Inspector | null,
  samples: number,
  everyMs: number,
): Promise<{ rssKiB: number; heapKiB: number; fds: number }> {
  if (inspector !== null) {
    await inspector.collectGarbage()
    await inspector.collectGarbage()
    await sleep(200)
  }
  const { rssKiB, fds } = await memoryOf(pid, samples, everyMs)
  const heapKiB = inspector === null ? Number.NaN : round(await inspector.heapUsedKiB(), 0)
  return { rssKiB, heapKiB, fds }
}

export async function measureMemory(
  pool: WorkerPool,
  probe: Probe,
  inspector: Inspector | null,
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
  const snapshots: Array<{ live: number; heap: Awaited<ReturnType<Inspector['heapByKind']>> }> = []
  let offset = 0
  for (const level of cfg.memory.levels) {
    const add = level - offset
    if (add > 0) {
      await pool.prepare(transport, add, model, offset)
      await pool.start({
        mode: transport,
        count: add,
        offset,
        model,
        staggerMs: cfg.memory.staggerMs,
        timeoutMs: streamTimeoutMs(cfg.memory.tokens),
      })
      offset = level
    }
    await sleep(cfg.memory.settleMs)
    const m = await settledMemory(probe.server, inspector, cfg.memory.samples, cfg.memory.everyMs)
    // Counted after the reading: a stream that ended meanwhile must not count as held.
    const { streams: live, chars } = await pool.liveState()
    points.push({ streams: level, live, ...m, textKiB: round(chars / 1024, 1) })
    // The last two readings: by then JIT code and shapes no longer grow with the first streams.
    if (cfg.memory.heapDiff && inspector !== null && points.length >= cfg.memory.levels.length - 1)
      snapshots.push({ live, heap: await inspector.heapByKind() })
  }
  const [first, second] = snapshots.slice(-2)
  const heapGrowth =
    first !== undefined && second !== undefined && second.live > first.live
      ? perStreamGrowth(first.heap, second.heap, second.live - first.live)
      : undefined
  const results = await pool.stopAll()
  await pool.closeClients()
  const per = (key: 'rssKiB' | 'heapKiB' | 'fds', digits: number) =>
    round(slope(points.map((p) => ({ x: p.live, y: p[key] }))), digits)
  return {
    transport,
    points,
    kibPerStream: per('rssKiB', 1),
    heapKibPerStream: per('heapKiB', 1),
    heapKibPerStreamWithoutText: round(
      slope(points.map((p) => ({ x: p.live, y: p.heapKiB - p.textKiB }))),
      1,
    ),
    fdsPerStream: per('fds', 2),
    stats: streamStats(results),
    ...(heapGrowth !== undefined ? { heapGrowth } : {}),
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
  /** After a forced full GC; with no resting per-turn state the heap comes back to where it was. */
  before: { rssKiB: number; heapKiB: number; fds: number }
  after: { rssKiB: number; heapKiB: number; fds: number }
  /** JS heap (after GC) kept per 1,000 turns: (after − before) / turns. */
  heapKibPer1kTurns: number
  /** With `--heap-diff`: what the heap kept per 1,000 turns, by kind. */
  heapGrowth?: Array<{ kind: string; bytesPer1kTurns: number; objectsPer1kTurns: number }>
  samples: Array<{ turns: number; rssKiB: number }>
  /** Least-squares RSS growth per 1,000 turns over the samples, KiB. */
  kibPer1kTurns: number
  ttftP50: number
  ttftP99: number
}

export async function measureSoak(
  startPool: () => Promise<WorkerPool>,
  probe: Probe,
  inspector: Inspector | null,
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
  const before = await settledMemory(probe.server, inspector, 5, 100)
  const diff = cfg.memory.heapDiff && inspector !== null
  const heapBefore = diff ? await inspector.heapByKind() : null

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
  const after = await settledMemory(probe.server, inspector, 5, 100)
  const heapAfter = diff ? await inspector.heapByKind() : null
  const heapGrowth =
    heapBefore !== null && heapAfter !== null
      ? perStreamGrowth(heapBefore, heapAfter, cfg.soak.turns / 1000).map((g) => ({
          kind: g.kind,
          bytesPer1kTurns: g.bytesPerStream,
          objectsPer1kTurns: g.objectsPerStream,
        }))
      : undefined
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
    heapKibPer1kTurns: round(((after.heapKiB - before.heapKiB) / cfg.soak.turns) * 1000, 1),
    ...(heapGrowth !== undefined ? { heapGrowth } : {}),
    ttftP50: ttft.p50,
    ttftP99: ttft.p99,
  }
}
