import type { BenchConfig } from '../config'
import type { ProfileSummary } from '../profile-summary'
import type { LightResult, RampResult, VariantResult } from '../scenarios/latency'
import type { ListAtScaleResult } from '../scenarios/list-at-scale'
import type { MemoryResult, SoakResult } from '../scenarios/memory'
import type { RedisResult } from '../scenarios/redis'
import type { SqlPerTurnResult } from '../scenarios/sql-per-turn'
import type { ServerLogSummary } from '../server-process'

/** The machine a run measured. */
export interface Machine {
  cpus: number
  cpuModel: string
  memoryGiB: number
  node: string
  platform: string
  release: string
  /** Share of all cores busy with other work in the second before the run (0..1). */
  busyBefore: number
  /** 1/5/15-minute load averages when the run ended. */
  loadavgAfter: number[]
  /** {@link cpuGauge} (ms; lower is faster) before and after the run. */
  gaugeMs?: { before: number; after: number }
}

/** One line of the headline table. */
export interface HeadlineRow {
  metric: string
  transport: string
  figure: string
  values: number[]
  target: string
  /** null: informational (no target). */
  met: boolean | null
}

/** Everything one run measured; written to results/<date>.json. */
export interface BenchResults {
  date: string
  /**
   * The code measured: HEAD at the start, whether apps/ or packages/ had uncommitted changes,
   * and whether either changed before the run ended (servers started later load newer code).
   */
  git: { commit: string; dirty: boolean; changedDuringRun: boolean }
  mode: 'full' | 'quick'
  durationS: number
  machine: Machine
  database: { kind: 'postgres' | 'pglite'; version: string | null; note: string | null }
  commands: string[]
  config: BenchConfig
  headline: HeadlineRow[]
  scenarios: {
    warmup?: { ok: number; streams: number }
    light?: LightResult
    ramp?: RampResult
    /** Light and ramp on the embedded database, and with plain two-round-trip clients. */
    variants?: VariantResult[]
    memory?: MemoryResult[]
    soak?: SoakResult
    sqlPerTurn?: SqlPerTurnResult
    /** The same turn with the search index's triggers off: what the index costs a write. */
    sqlPerTurnWithoutSearch?: SqlPerTurnResult
    listAtScale?: ListAtScaleResult
    /** Two instances on Postgres + Redis. */
    redis?: RedisResult
  }
  skipped: Array<{ scenario: string; reason: string }>
  failures: Array<{ scenario: string; error: string }>
  serverLogs: ServerLogSummary
  profile: ProfileSummary | null
}
