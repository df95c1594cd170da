import { cpuMs, cpuMsOf, machineCpuMs, openFds, rssKiB } from '../proc-stats'
import { round, summarize, type Summary } from '../stats'
import type { Mode, StreamResult } from '../worker/protocol'
import type { WorkerPool } from '../worker/pool'

/** The processes whose resources a scenario watches. */
export interface Probe {
  server: number
  fake: number
  workers: () => number[]
}

/** What a set of streams looked like from the clients. */
export interface StreamStats {
  streams: number
  ok: number
  failed: number
  errors: string[]
  ttft: Summary
  gap: Summary
  tokens: number
  frames: number
  tokensPerFrame: number
}

/** Aggregates stream results: TTFT over streams, gaps over every gap of every stream. */
export function streamStats(results: readonly StreamResult[]): StreamStats {
  const ok = results.filter((r) => r.ok)
  const errors = [...new Set(results.flatMap((r) => (r.error === null ? [] : [r.error])))].slice(
    0,
    5,
  )
  let tokens = 0
  let frames = 0
  const gaps: number[] = []
  for (const r of ok) {
    tokens += r.tokens
    frames += r.frames
    for (const g of r.gaps) gaps.push(g)
  }
  return {
    streams: results.length,
    ok: ok.length,
    failed: results.length - ok.length,
    errors,
    ttft: summarize(ok.map((r) => r.ttftMs)),
    gap: summarize(gaps),
    tokens,
    frames,
    tokensPerFrame: round(frames === 0 ? Number.NaN : tokens / frames, 2),
  }
}

/** CPU of the server, the fake and the load generators, and the time, at one instant. */
export interface Snapshot {
  at: number
  server: number
  fake: number
  workers: number
  /** Busy CPU of the whole machine, every process included. */
  machine: number
}

export function snapshot(probe: Probe): Snapshot {
  return {
    at: performance.now(),
    server: cpuMs(probe.server),
    fake: cpuMs(probe.fake),
    workers: cpuMsOf(probe.workers()),
    machine: machineCpuMs().busy,
  }
}

/** CPU used between two snapshots, as ms and as a share of one core. */
export interface CpuUse {
  wallMs: number
  serverMs: number
  fakeMs: number
  workersMs: number
  serverCores: number
  /** Server + fake + load generators. */
  benchCores: number
  /** Everything else on the machine (other people's work): a busy machine skews latencies. */
  otherCores: number
}

export function cpuBetween(a: Snapshot, b: Snapshot): CpuUse {
  const wallMs = b.at - a.at
  const serverMs = b.server - a.server
  const fakeMs = b.fake - a.fake
  const workersMs = b.workers - a.workers
  const ours = serverMs + fakeMs + workersMs
  return {
    wallMs: round(wallMs, 1),
    serverMs: round(serverMs, 1),
    fakeMs: round(fakeMs, 1),
    workersMs: round(workersMs, 1),
    serverCores: round(serverMs / wallMs, 3),
    benchCores: round(ours / wallMs, 3),
    otherCores: round(Math.max(0, b.machine - a.machine - ours) / wallMs, 3),
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** RSS (median of a few samples) and open fds of a process. */
export async function memoryOf(
  pid: number,
  samples = 5,
  everyMs = 200,
): Promise<{ rssKiB: number; fds: number }> {
  const values: number[] = []
  for (let i = 0; i < samples; i++) {
    values.push(rssKiB(pid))
    if (i < samples - 1) await sleep(everyMs)
  }
  return { rssKiB: summarize(values).p50, fds: openFds(pid) }
}

/** One measured run of `count` concurrent streams in one mode. */
export interface LevelRun {
  mode: Mode
  level: number
  stats: StreamStats
  cpu: CpuUse
  /** Server CPU per streamed token, µs (t3chat modes). */
  cpuPerTokenUs: number
  serverRssKiB: number
}

/** Prepares (untimed), then runs `count` steady streams and measures the server meanwhile. */
export async function runLevel(
  pool: WorkerPool,
  probe: Probe,
  opts: { mode: Mode; count: number; model: string; staggerMs: number; timeoutMs: number },
): Promise<LevelRun> {
  await pool.prepare(opts.mode, opts.count, opts.model)
  await sleep(300)
  const before = snapshot(probe)
  const results = await pool.run(opts)
  const after = snapshot(probe)
  if (opts.mode === 'ws') await pool.closeClients()
  const stats = streamStats(results)
  const cpu = cpuBetween(before, after)
  return {
    mode: opts.mode,
    level: opts.count,
    stats,
    cpu,
    cpuPerTokenUs: round(stats.tokens === 0 ? Number.NaN : (cpu.serverMs * 1000) / stats.tokens, 1),
    serverRssKiB: rssKiB(probe.server),
  }
}
