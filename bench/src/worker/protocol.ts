/** How a stream reaches the load generator: straight from the fake, or through t3chat. */
export type Mode = 'direct' | 'sse' | 'ws'

/**
 * How a t3chat turn is played. `rounds`: 1 — the answer id is chosen by the client and
 * `chat.stream` opens together with `chat.send` (as the CLI does); 2 — a plain client: `chat.send`,
 * then `chat.stream` on the id it returned. `fresh`: each turn starts a new conversation (so a
 * title job runs beside it) instead of continuing one prepared untimed.
 */
export interface TurnStyle {
  rounds: 1 | 2
  fresh: boolean
}

export const ONE_ROUND_TRIP: TurnStyle = { rounds: 1, fresh: false }

/** A bench user: one per concurrent stream, so the per-user limit never binds. */
export interface BenchUser {
  id: string
  token: string
}

/** What one stream looked like from the client. */
export interface StreamResult {
  ok: boolean
  error: string | null
  /** `chat.send` call → first delta (t3chat), or request → first content chunk (direct), ms. */
  ttftMs: number
  /** Gaps between consecutive delta frames (chunks for direct), ms. */
  gaps: number[]
  /** Delta frames (chunks with content for direct). */
  frames: number
  /** Completion tokens (from the usage the stream reported). */
  tokens: number
  chars: number
  status: string
  /**
   * Server CPU time (all its threads, from /proc) between the send and the final event; only
   * measured for sequential turns, where nothing else runs on the server. NaN otherwise.
   */
  serverCpuMs: number
}

/** Result of a soak share: many short turns back to back. */
export interface SoakResult {
  ok: number
  failed: number
  errors: string[]
  ttfts: number[]
}

/**
 * Commands from the benchmark to a load worker. User indices (`from`, `count`) are positions
 * in the worker's own user list.
 */
export type Command =
  | { kind: 'init'; url: string; serverPid: number; upstreamBaseURL: string; users: BenchUser[] }
  | { kind: 'prepare'; mode: Mode; from: number; count: number; model: string }
  | {
      kind: 'run'
      mode: Mode
      from: number
      count: number
      model: string
      staggerMs: number
      timeoutMs: number
    }
  | {
      kind: 'start'
      mode: Mode
      from: number
      count: number
      model: string
      staggerMs: number
      timeoutMs: number
    }
  | { kind: 'stopAll' }
  | { kind: 'liveState' }
  | {
      kind: 'sequence'
      modes: Mode[]
      iterations: number
      model: string
      pauseMs: number
      timeoutMs: number
    }
  | {
      kind: 'soak'
      from: number
      concurrency: number
      turns: number
      model: string
      timeoutMs: number
    }
  | { kind: 'closeClients' }
  | { kind: 'style'; style: TurnStyle }

export interface Request {
  id: number
  command: Command
}

export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  | { event: 'progress'; turns: number }
