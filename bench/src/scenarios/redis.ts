// Several instances on Postgres + Redis (REDIS_URL): what following an answer from another
// instance costs, next to following it on the instance that generates it. A private
// redis-server on its own port, so INFO commandstats and memory count only this scenario.
import { randomBytes, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { join } from 'node:path'
import { createRedisHub, type RedisHub } from '@t3chat/api'
import { createChatClient, type ChatClient } from '@t3chat/client'
import { Redis } from 'ioredis'
import pino from 'pino'
import WebSocket from 'ws'
import { forkTs, stop, withTimeout } from '../children'
import { firstFrameOf } from '../first-frame'
import { loremModel, streamTimeoutMs, TOKEN_DELAY_MS, type BenchConfig } from '../config'
import type { ServerProcess } from '../server-process'
import { round, summarize, type Summary } from '../stats'
import type { BenchUser } from '../worker/protocol'
import type { WorkerPool } from '../worker/pool'
import { startRedis, type PrivateRedis } from './redis-server'
import { runLevel, sleep } from './streams'

export interface RedisResult {
  redisVersion: string
  /** Per-frame: the same answer (owned by instance A) followed on A and on B. */
  frames: {
    answers: number
    tokens: number
    /** B's arrival minus A's arrival of the same text offset, ms. */
    added: Summary
    /** Gaps between consecutive frames on each instance, ms. */
    gapOwner: Summary
    gapOther: Summary
  }
  /**
   * Subscribe with `lastEventId` (half the text so far) → first event, ms; `hub`: a Redis hub
   * in this process (no API, no WebSocket) from `attach` to its first frame — where the
   * anchor (resumable-stream) measured, from the resume call to the first chunk; `bare`: the
   * same hub in an idle process behind a bare WebSocket server (no API), request → first frame;
   * `echo`: a message to that process and back (the machine's share).
   */
  resume: {
    owner: Summary
    other: Summary
    hub: Summary
    bare: Summary
    echo: Summary
    /** The text a measured resume missed (half the answer so far), fewest and most chars. */
    missing: [number, number]
  }
  /** N answers at once on A, each followed on B. */
  load: {
    answers: number
    tokens: number
    frames: number
    commands: number
    commandsPerToken: number
    commandsPerFrame: number
    topCommands: Array<{ command: string; calls: number }>
    /** used_memory while every answer is live (half way), and after they all ended. */
    bytesPerLiveAnswer: number
    bytesPerEndedAnswer: number
    charsPerAnswer: number
  }
  /** One instance, WS, steady streams: without and with REDIS_URL. */
  capacity: Array<{
    redis: boolean
    level: number
    ok: number
    failed: number
    ttftP99: number
    gapP99: number
    cpuPerTokenUs: number
    errors: string[]
  }>
}

export interface RedisScenarioDeps {
  cfg: BenchConfig
  users: BenchUser[]
  /** Starts a server on the scenario's Postgres database with extra environment. */
  serve(env: Record<string, string>): Promise<ServerProcess>
  retire(server: ServerProcess): Promise<void>
  startPool(server: ServerProcess): Promise<WorkerPool>
  fakePid: number
  logFile: string
  log: (line: string) => void
}

/** One followed answer: the text offset of each event and when it arrived. */
interface Trace {
  points: Array<{ offset: number; at: number }>
  done: Promise<void>
  stop(): void
}

function follow(client: ChatClient, messageId: string, lastEventId: string | null): Trace {
  const points: Trace['points'] = []
  let finish: () => void = () => undefined
  let fail: (error: Error) => void = () => undefined
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve
    fail = reject
  })
  // Seen by whoever awaits `done`; never an unhandled rejection meanwhile.
  done.catch(() => undefined)
  const subscription = client.chat.stream.subscribe(
    { messageId, ...(lastEventId !== null ? { lastEventId } : {}) },
    {
      onData(event) {
        points.push({ offset: Number(event.id), at: performance.now() })
        if (event.data.type === 'final') {
          subscription.unsubscribe()
          finish()
        }
      },
      onError: (error) => fail(error instanceof Error ? error : new Error(String(error))),
      onComplete: () => finish(),
    },
  )
  return { points, done, stop: () => subscription.unsubscribe() }
}

/** A Redis hub's `attach` at `offset` → its first frame, ms (the follower is then stopped). */
async function firstHubFrame(hub: RedisHub, messageId: string, offset: number): Promise<number> {
  const started = performance.now()
  const first = await firstFrameOf(hub, messageId, offset)
  const ms = performance.now() - started
  if (first === null) throw new Error('the hub had no frame')
  return ms
}

/** The hub behind a bare WebSocket server in a process of its own (bare-resume-child.ts). */
async function startBareResumer(env: Record<string, string>, logFile: string) {
  const child = forkTs(join(import.meta.dirname, '..', 'bare-resume-child.ts'), {
    logFile,
    env: { ...process.env, ...env },
  })
  const [message] = (await withTimeout(once(child, 'message'), 30_000, 'the bare resumer')) as [
    { port?: number },
  ]
  const socket = new WebSocket(`ws://127.0.0.1:${String(message.port)}`)
  await withTimeout(once(socket, 'open'), 10_000, 'the bare resumer’s WebSocket')
  const roundTrip = async (request: string): Promise<[ms: number, reply: string]> => {
    const started = performance.now()
    const reply = once(socket, 'message')
    socket.send(request)
    const [data] = (await withTimeout(reply, 10_000, 'a bare resume')) as [Buffer]
    return [performance.now() - started, String(data)]
  }
  return {
    /** Request → first frame, ms. */
    async firstFrame(messageId: string, offset: number): Promise<number> {
      const [ms, reply] = await roundTrip(JSON.stringify({ messageId, offset }))
      if (reply === 'null') throw new Error('the bare resumer had no frame')
      return ms
    },
    /** A message there and back, ms. */
    echo: async (): Promise<number> => (await roundTrip('echo'))[0],
    async close(): Promise<void> {
      socket.close()
      await stop(child)
    },
  }
}

const gaps = (points: Trace['points']) => points.slice(1).map((p, i) => p.at - (points[i]?.at ?? 0))

/** Waits until `check` holds, polling every few ms (bounded). */
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(2)
  }
}

export async function measureRedis(deps: RedisScenarioDeps): Promise<RedisResult> {
  const { cfg, log } = deps
  const c = cfg.redis
  const redis: PrivateRedis = await startRedis(deps.logFile)
  const servers: ServerProcess[] = []
  const clients: ChatClient[] = []
  try {
    const redisVersion = redis.version
    // Instances sharing a database must share the key that encrypts users' provider keys.
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `bench${process.pid}:`,
      T3CHAT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    }
    const a = await deps.serve(env)
    servers.push(a)
    const b = await deps.serve(env)
    servers.push(b)
    const user = deps.users[0]
    if (user === undefined) throw new Error('no bench user')
    const clientOf = (s: ServerProcess, u: BenchUser = user) => {
      const client = createChatClient({ url: s.url, getToken: () => u.token, transport: 'ws' })
      clients.push(client)
      return client
    }
    const [ca, cb] = [clientOf(a), clientOf(b)]
    const send = (client: ChatClient, model: string, id = randomUUID()) =>
      client.chat.send.mutate({
        clientMessageId: randomUUID(),
        assistantMessageId: id,
        content: 'bench',
        model,
      })

    // Per frame: A follows from the start; B joins once A has text (its first event is the
    // backlog, left out), then both see the same live frames.
    const added: number[] = []
    const gapOwner: number[] = []
    const gapOther: number[] = []
    const model = loremModel(c.frames.tokens)
    for (let i = 0; i < c.frames.answers + 1; i++) {
      const id = randomUUID()
      const owner = follow(ca, id, null)
      await send(ca, model, id)
      await until(() => owner.points.length > 1, 10_000, 'the first frame on the owner')
      const other = follow(cb, id, null)
      await withTimeout(
        Promise.all([owner.done, other.done]),
        streamTimeoutMs(c.frames.tokens),
        'an answer followed on both instances',
      )
      if (i === 0) continue // warm-up: connections, code paths
      for (const p of other.points.slice(1)) {
        const first = owner.points.find((q) => q.offset >= p.offset)
        if (first !== undefined) added.push(p.at - first.at)
      }
      gapOwner.push(...gaps(owner.points.slice(2, -1)))
      gapOther.push(...gaps(other.points.slice(2, -1)))
    }
    const frames = {
      answers: c.frames.answers,
      tokens: c.frames.tokens,
      added: summarize(added),
      gapOwner: summarize(gapOwner),
      gapOther: summarize(gapOther),
    }
    log(
      `  per frame, other instance minus owner: p50 ${frames.added.p50} p99 ${frames.added.p99} ms (${frames.added.n} frames)`,
    )

    // Resume: a long answer on A; now and then a subscriber resumes from half its text, on A,
    // on B, through a hub of its own in this process, or through the same hub behind a bare
    // WebSocket in an idle process (its echo, in turn, times the machine's share alone).
    const kinds = ['owner', 'other', 'hub', 'bare', 'echo'] as const
    const resumeOn = {
      owner: [] as number[],
      other: [] as number[],
      hub: [] as number[],
      bare: [] as number[],
      echo: [] as number[],
    }
    const bare = await startBareResumer(
      { BARE_REDIS_URL: redis.url, BARE_KEY_PREFIX: env.REDIS_KEY_PREFIX },
      deps.logFile,
    )
    const hubRedis = new Redis(redis.url)
    const hub = createRedisHub({
      redis: hubRedis,
      keyPrefix: env.REDIS_KEY_PREFIX,
      frameIntervalMs: 50,
      logger: pino({ level: 'silent' }),
    })
    // Long enough to outlast every resume (each ~150 ms apart, the warm-ups ~15); stopped
    // afterwards.
    const longTokens =
      Math.ceil(((c.resumes * 300 + c.resumeWarmups * 30) * kinds.length) / TOKEN_DELAY_MS) + 100
    const longId = randomUUID()
    const watcher = follow(ca, longId, null)
    await send(ca, loremModel(longTokens), longId)
    await until(() => watcher.points.length > 3, 10_000, 'the long answer')
    const missing: number[] = []
    /** One resume from half the text so far, on `on`; ms to its first frame. */
    const resumeOnce = async (on: (typeof kinds)[number]): Promise<number> => {
      if (on === 'echo') return bare.echo()
      const seen = watcher.points.at(-1)?.offset ?? 0
      const offset = Math.floor(seen / 2)
      missing.push(seen - offset)
      if (on === 'hub') return firstHubFrame(hub, longId, offset)
      if (on === 'bare') return bare.firstFrame(longId, offset)
      const started = performance.now()
      const resumed = follow(on === 'owner' ? ca : cb, longId, String(offset))
      await until(() => resumed.points.length > 0, 10_000, 'the first frame after a resume')
      resumed.stop()
      return (resumed.points[0]?.at ?? Number.NaN) - started
    }
    // A resume's code runs a few dozen times in the measured rounds: not measured before it has
    // run as often as on an instance that has been up a while (V8 optimises hot code only).
    for (let i = 0; i < c.resumeWarmups * kinds.length; i++) {
      await resumeOnce(kinds[i % kinds.length] ?? 'owner')
      await sleep(5)
    }
    for (let i = 0; i < c.resumes * kinds.length; i++) {
      const on = kinds[i % kinds.length] ?? 'owner'
      if (i === 0) missing.length = 0
      resumeOn[on].push(await resumeOnce(on))
      await sleep(150)
    }
    await ca.chat.stop.mutate({ messageId: longId })
    await watcher.done
    await hub.close()
    await bare.close()
    hubRedis.disconnect()
    const resume = {
      owner: summarize(resumeOn.owner),
      other: summarize(resumeOn.other),
      hub: summarize(resumeOn.hub),
      bare: summarize(resumeOn.bare),
      echo: summarize(resumeOn.echo),
      missing: [Math.min(...missing), Math.max(...missing)] as [number, number],
    }
    log(
      `  first frame after a resume: owner p50 ${resume.owner.p50} p99 ${resume.owner.p99}, other p50 ${resume.other.p50} p99 ${resume.other.p99} ms; a hub in the bench process, attach → first frame p50 ${resume.hub.p50} p99 ${resume.hub.p99} ms; the hub behind a bare WebSocket in an idle process p50 ${resume.bare.p50} p99 ${resume.bare.p99} ms, a message to that process and back p50 ${resume.echo.p50} p99 ${resume.echo.p99} ms`,
    )

    // Load: N answers at once on A, each followed on B; Redis commands and memory.
    const n = c.load.answers
    const loadModel = loremModel(c.load.tokens)
    await sleep(500)
    const callsBefore = await redis.commandCalls()
    const memoryBefore = await redis.usedMemory()
    const t0 = performance.now()
    // A user (and a connection) per 25 answers: the servers cap subscriptions per user and
    // per connection.
    const pairs = Array.from({ length: Math.ceil(n / 25) }, (_, i) => {
      const u = deps.users[i + 1] ?? user
      return {
        a: clientOf(a, u),
        b: clientOf(b, u),
      }
    })
    const traces = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const pair = pairs[Math.floor(i / 25)] ?? { a: ca, b: cb }
        const id = randomUUID()
        await send(pair.a, loadModel, id)
        return follow(pair.b, id, null)
      }),
    )
    await sleep(Math.max(0, (c.load.tokens * 20) / 2 - (performance.now() - t0)))
    const memoryLive = await redis.usedMemory()
    await withTimeout(
      Promise.all(traces.map((t) => t.done)),
      streamTimeoutMs(c.load.tokens),
      'the answers under load',
    )
    const callsAfter = await redis.commandCalls()
    const memoryAfter = await redis.usedMemory()
    const delta = [...callsAfter]
      .map(([command, calls]) => ({ command, calls: calls - (callsBefore.get(command) ?? 0) }))
      .filter((x) => x.calls > 0)
      .sort((x, y) => y.calls - x.calls)
    const commands = delta.reduce((sum, x) => sum + x.calls, 0)
    const tokens = n * c.load.tokens
    const framesSeen = traces.reduce((sum, t) => sum + t.points.length, 0)
    const chars = traces.reduce((sum, t) => sum + (t.points.at(-1)?.offset ?? 0), 0)
    const load = {
      answers: n,
      tokens: c.load.tokens,
      frames: framesSeen,
      commands,
      commandsPerToken: round(commands / tokens, 3),
      commandsPerFrame: round(commands / framesSeen, 2),
      topCommands: delta.slice(0, 6),
      bytesPerLiveAnswer: Math.round((memoryLive - memoryBefore) / n),
      bytesPerEndedAnswer: Math.round((memoryAfter - memoryBefore) / n),
      charsPerAnswer: Math.round(chars / n),
    }
    log(
      `  ${n} answers × ${c.load.tokens} tokens: ${commands} Redis commands = ${load.commandsPerToken}/token (${delta
        .slice(0, 4)
        .map((x) => `${x.command} ${x.calls}`)
        .join(', ')}); memory ${load.bytesPerLiveAnswer} B per live answer`,
    )
    for (const client of clients.splice(0)) client.close()
    for (const server of servers.splice(0)) await deps.retire(server)

    // Capacity of one instance over WS, without and with REDIS_URL.
    const capacity: RedisResult['capacity'] = []
    for (const withRedis of [false, true]) {
      const server = await deps.serve(withRedis ? env : {})
      servers.push(server)
      const pool = await deps.startPool(server)
      try {
        for (const level of c.capacity.levels) {
          const run = await runLevel(
            pool,
            { server: server.pid, fake: deps.fakePid, workers: () => pool.pids },
            {
              mode: 'ws',
              count: level,
              model: loremModel(c.capacity.tokens),
              staggerMs: c.capacity.staggerMs,
              timeoutMs: streamTimeoutMs(c.capacity.tokens),
            },
          )
          capacity.push({
            redis: withRedis,
            level,
            ok: run.stats.ok,
            failed: run.stats.failed,
            ttftP99: run.stats.ttft.p99,
            gapP99: run.stats.gap.p99,
            cpuPerTokenUs: run.cpuPerTokenUs,
            errors: run.stats.errors.slice(0, 3),
          })
          log(
            `  WS ${withRedis ? 'with' : 'without'} REDIS_URL, ${level} streams: ok ${run.stats.ok}/${run.stats.streams}, gap p99 ${run.stats.gap.p99} ms, ${run.cpuPerTokenUs} µs/token${run.stats.errors.length > 0 ? `; ${run.stats.errors.slice(0, 2).join('; ')}` : ''}`,
          )
          await sleep(500)
        }
      } finally {
        await pool.close()
        servers.splice(servers.indexOf(server), 1)
        await deps.retire(server)
      }
    }
    return { redisVersion, frames, resume, load, capacity }
  } finally {
    for (const client of clients) client.close()
    for (const server of servers) await deps.retire(server)
    await redis.stop()
  }
}
