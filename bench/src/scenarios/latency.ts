import { loremModel, streamTimeoutMs, type BenchConfig } from '../config'
import { round } from '../stats'
import type { Mode } from '../worker/protocol'
import type { WorkerPool } from '../worker/pool'
import {
  cpuBetween,
  runLevel,
  sleep,
  snapshot,
  streamStats,
  type CpuUse,
  type LevelRun,
  type Probe,
  type StreamStats,
} from './streams'

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)

export const MODES: readonly Mode[] = ['direct', 'sse', 'ws']
export const TRANSPORTS = ['sse', 'ws'] as const

/** Through t3chat minus the fake called directly, for one transport. */
export interface Added {
  ttftP50: number
  ttftP99: number
  gapP50: number
  gapP99: number
}

export function added(through: StreamStats, direct: StreamStats): Added {
  return {
    ttftP50: round(through.ttft.p50 - direct.ttft.p50),
    ttftP99: round(through.ttft.p99 - direct.ttft.p99),
    gapP50: round(through.gap.p50 - direct.gap.p50),
    gapP99: round(through.gap.p99 - direct.gap.p99),
  }
}

/** Sequential turns, one at a time, modes interleaved so drift hits them alike. */
export interface LightResult {
  iterations: number
  tokens: number
  byMode: Record<Mode, StreamStats>
  added: Record<'sse' | 'ws', Added>
  cpu: CpuUse
  /**
   * Server CPU per t3chat turn (send → final; /proc ticks summed over the turns), ms. A turn's
   * fixed cost: what makes TTFT climb once turns start faster than one core can take them.
   */
  serverMsPerTurn: Record<'sse' | 'ws', number>
}

export async function measureLight(
  pool: WorkerPool,
  probe: Probe,
  cfg: BenchConfig,
): Promise<LightResult> {
  const before = snapshot(probe)
  const results = await pool.sequence({
    modes: [...MODES],
    iterations: cfg.light.iterations,
    model: loremModel(cfg.light.tokens),
    pauseMs: 50,
    timeoutMs: streamTimeoutMs(cfg.light.tokens),
  })
  const cpu = cpuBetween(before, snapshot(probe))
  const byMode = {
    direct: streamStats(results.direct ?? []),
    sse: streamStats(results.sse ?? []),
    ws: streamStats(results.ws ?? []),
  }
  return {
    iterations: cfg.light.iterations,
    tokens: cfg.light.tokens,
    byMode,
    added: { sse: added(byMode.sse, byMode.direct), ws: added(byMode.ws, byMode.direct) },
    cpu,
    serverMsPerTurn: {
      sse: round(mean((results.sse ?? []).map((r) => r.serverCpuMs)), 2),
      ws: round(mean((results.ws ?? []).map((r) => r.serverCpuMs)), 2),
    },
  }
}

/** The concurrency ramp: each level in each mode, the floor first. */
export interface RampResult {
  tokens: number
  staggerMs: number
  runs: LevelRun[]
  added: Array<{ level: number; transport: 'sse' | 'ws' } & Added>
  /** Highest level whose client-observed gap p99 stayed under 100 ms, per transport. */
  maxLevelUnder100ms: Record<'sse' | 'ws', number>
}

export const GAP_LIMIT_MS = 100

export async function measureRamp(
  pool: WorkerPool,
  probe: Probe,
  cfg: BenchConfig,
  log: (line: string) => void,
  levels: readonly number[] = cfg.ramp.levels,
): Promise<RampResult> {
  const model = loremModel(cfg.ramp.tokens)
  const runs: LevelRun[] = []
  for (const level of levels) {
    for (const mode of MODES) {
      const run = await runLevel(pool, probe, {
        mode,
        count: level,
        model,
        staggerMs: cfg.ramp.staggerMs,
        timeoutMs: streamTimeoutMs(cfg.ramp.tokens),
      })
      runs.push(run)
      log(
        `  ${String(level).padStart(4)} ${mode.padEnd(6)} ok ${run.stats.ok}/${run.stats.streams}  ttft p50 ${run.stats.ttft.p50} p99 ${run.stats.ttft.p99}  gap p50 ${run.stats.gap.p50} p99 ${run.stats.gap.p99}  server ${run.cpu.serverCores} cores${mode === 'direct' ? '' : `, ${run.cpuPerTokenUs} µs/token`}`,
      )
      // Let checkpoints, finishes and closing sockets settle before the next run.
      await sleep(cfg.ramp.pauseMs)
    }
  }
  const find = (level: number, mode: Mode) => runs.find((r) => r.level === level && r.mode === mode)
  const addedRows: RampResult['added'] = []
  const maxLevelUnder100ms = { sse: 0, ws: 0 }
  const passing = { sse: true, ws: true }
  for (const level of levels) {
    const direct = find(level, 'direct')
    for (const transport of TRANSPORTS) {
      const through = find(level, transport)
      if (direct === undefined || through === undefined) continue
      addedRows.push({ level, transport, ...added(through.stats, direct.stats) })
      // The highest level up to which EVERY level held: a lucky high level after a miss doesn't count.
      passing[transport] &&= through.stats.failed === 0 && through.stats.gap.p99 < GAP_LIMIT_MS
      if (passing[transport]) maxLevelUnder100ms[transport] = level
    }
  }
  return {
    tokens: cfg.ramp.tokens,
    staggerMs: cfg.ramp.staggerMs,
    runs,
    added: addedRows,
    maxLevelUnder100ms,
  }
}

/**
 * The light and ramp scenarios again under other conditions: the embedded database (what a new
 * user runs first), or plain clients (send, then stream; a new conversation each turn).
 */
export interface VariantResult {
  name: string
  database: 'postgres' | 'pglite'
  rounds: 1 | 2
  fresh: boolean
  light: LightResult
  ramp: RampResult
}
