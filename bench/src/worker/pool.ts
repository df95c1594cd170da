import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { forkTs, stop } from '../children'
import type {
  BenchUser,
  Command,
  Mode,
  Reply,
  SoakResult,
  StreamResult,
  TurnStyle,
} from './protocol'

/** One load-generator child process. */
class Worker {
  private nextId = 1
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void }
  >()
  onProgress: (turns: number) => void = () => undefined

  constructor(readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => {
      if ('event' in reply) return this.onProgress(reply.turns)
      const waiter = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      if (reply.ok) waiter?.resolve(reply.result)
      else waiter?.reject(new Error(`load worker: ${reply.error}`))
    })
    child.once('exit', (code) => {
      for (const waiter of this.pending.values())
        waiter.reject(new Error(`load worker exited (code ${String(code)})`))
      this.pending.clear()
    })
  }

  call<T>(command: Command): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: (v) => resolve(v as T), reject })
      this.child.send({ id, command })
    })
  }
}

/** Splits `count` over `n` workers as evenly as possible. */
export function split(count: number, n: number): number[] {
  return Array.from({ length: n }, (_, w) => Math.floor(count / n) + (w < count % n ? 1 : 0))
}

/**
 * Each worker's slice of the users `[offset, offset + count)` of the whole bench, so that
 * consecutive batches never share a user and never run past the users a worker holds.
 */
export function slices(
  offset: number,
  count: number,
  n: number,
): Array<{ from: number; count: number }> {
  const before = split(offset, n)
  const upTo = split(offset + count, n)
  return before.map((from, w) => ({ from, count: (upTo[w] ?? 0) - from }))
}

/** The load generators: child processes, each with its own slice of the bench users. */
export class WorkerPool {
  private constructor(
    private readonly workers: Worker[],
    private readonly upstreamBaseURL: string,
    private readonly users: BenchUser[],
  ) {}

  /** Forks `size` workers and gives each its users. */
  static async start(opts: {
    size: number
    url: string
    serverPid: number
    upstreamBaseURL: string
    users: BenchUser[]
    logFile: string
  }): Promise<WorkerPool> {
    const workers = Array.from(
      { length: opts.size },
      () =>
        new Worker(forkTs(join(import.meta.dirname, 'load-worker.ts'), { logFile: opts.logFile })),
    )
    const pool = new WorkerPool(workers, opts.upstreamBaseURL, opts.users)
    await pool.retarget(opts.url, opts.serverPid)
    return pool
  }

  /** Points every worker at a server (its clients are dropped; the users stay the same). */
  async retarget(url: string, serverPid: number): Promise<void> {
    const n = this.workers.length
    await this.each((w) => ({
      kind: 'init',
      url,
      serverPid,
      upstreamBaseURL: this.upstreamBaseURL,
      users: this.users.filter((_, i) => i % n === w),
    }))
  }

  get pids(): number[] {
    return this.workers.flatMap((w) => (w.child.pid === undefined ? [] : [w.child.pid]))
  }

  /** Sends each worker its command (null: that worker sits this one out). */
  private async each<T>(make: (w: number) => Command | null): Promise<T[]> {
    const calls = this.workers.flatMap((worker, w) => {
      const command = make(w)
      return command === null ? [] : [worker.call<T>(command)]
    })
    return Promise.all(calls)
  }

  async prepare(mode: Mode, count: number, model: string, offset = 0): Promise<void> {
    const parts = slices(offset, count, this.workers.length)
    await this.each((w) => ({
      kind: 'prepare',
      mode,
      ...(parts[w] ?? { from: 0, count: 0 }),
      model,
    }))
  }

  async run(opts: {
    mode: Mode
    count: number
    model: string
    staggerMs: number
    timeoutMs: number
  }): Promise<StreamResult[]> {
    const parts = slices(0, opts.count, this.workers.length)
    const results = await this.each<StreamResult[]>((w) => {
      const part = parts[w]
      return part === undefined || part.count === 0 ? null : { kind: 'run', ...opts, ...part }
    })
    return results.flat()
  }

  /** Opens streams and resolves once each has shown its first delta (they keep streaming). */
  async start(opts: {
    mode: 'sse' | 'ws'
    count: number
    offset: number
    model: string
    staggerMs: number
    timeoutMs: number
  }): Promise<number> {
    const parts = slices(opts.offset, opts.count, this.workers.length)
    const started = await this.each<{ started: number }>((w) => ({
      kind: 'start',
      mode: opts.mode,
      ...(parts[w] ?? { from: 0, count: 0 }),
      model: opts.model,
      staggerMs: opts.staggerMs,
      timeoutMs: opts.timeoutMs,
    }))
    return started.reduce((sum, s) => sum + s.started, 0)
  }

  /** How many held streams are still streaming, and how much text they have received. */
  async liveState(): Promise<{ streams: number; chars: number }> {
    const states = await this.each<{ streams: number; chars: number }>(() => ({
      kind: 'liveState',
    }))
    return {
      streams: states.reduce((n, s) => n + s.streams, 0),
      chars: states.reduce((n, s) => n + s.chars, 0),
    }
  }

  /** Stops every held stream with `chat.stop` and returns what each looked like. */
  async stopAll(): Promise<StreamResult[]> {
    return (await this.each<StreamResult[]>(() => ({ kind: 'stopAll' }))).flat()
  }

  /** Sequential turns on the first worker, modes interleaved per iteration. */
  async sequence(opts: {
    modes: Mode[]
    iterations: number
    model: string
    pauseMs: number
    timeoutMs: number
  }): Promise<Record<string, StreamResult[]>> {
    const first = this.workers[0]
    if (first === undefined) throw new Error('no load worker')
    return first.call({ kind: 'sequence', ...opts })
  }

  async soak(opts: {
    turns: number
    concurrency: number
    model: string
    timeoutMs: number
    onProgress: (turns: number) => void
  }): Promise<SoakResult> {
    const turns = split(opts.turns, this.workers.length)
    const lanes = split(opts.concurrency, this.workers.length)
    for (const worker of this.workers) worker.onProgress = opts.onProgress
    const results = await this.each<SoakResult>((w) =>
      (lanes[w] ?? 0) === 0
        ? null
        : {
            kind: 'soak',
            from: 0,
            concurrency: lanes[w] ?? 0,
            turns: turns[w] ?? 0,
            model: opts.model,
            timeoutMs: opts.timeoutMs,
          },
    )
    for (const worker of this.workers) worker.onProgress = () => undefined
    return results.reduce<SoakResult>(
      (all, r) => ({
        ok: all.ok + r.ok,
        failed: all.failed + r.failed,
        errors: [...all.errors, ...r.errors].slice(0, 10),
        ttfts: all.ttfts.concat(r.ttfts),
      }),
      { ok: 0, failed: 0, errors: [], ttfts: [] },
    )
  }

  /** How the workers play t3chat turns from now on (default: one round trip, prepared conversation). */
  async setStyle(style: TurnStyle): Promise<void> {
    await this.each(() => ({ kind: 'style', style }))
  }

  async closeClients(): Promise<void> {
    await this.each(() => ({ kind: 'closeClients' }))
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => stop(w.child, 5_000)))
  }
}
