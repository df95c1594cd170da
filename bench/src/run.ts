import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { killAll, onInterrupt } from './children'
import { Inspector } from './inspector'
import { loremModel, streamTimeoutMs, type BenchConfig } from './config'
import {
  createDatabase,
  dropDatabase,
  dropLeftovers,
  postgresReachable,
  postgresVersion,
} from './postgres'
import { largestProfile, summarizeProfile, type ProfileSummary } from './profile-summary'
import type { BenchResults } from './report/results'
import { measureLight, measureRamp, type VariantResult } from './scenarios/latency'
import { measureListAtScale } from './scenarios/list-at-scale'
import { measureMemory, measureSoak } from './scenarios/memory'
import { measureRedis } from './scenarios/redis'
import { redisAvailable } from './scenarios/redis-server'
import { measureSqlPerTurn } from './scenarios/sql-per-turn'
import { streamStats, type Probe } from './scenarios/streams'
import {
  repoRoot,
  startServerProcess,
  startFakeProcess,
  type ServerProcess,
} from './server-process'
import { ONE_ROUND_TRIP, type BenchUser } from './worker/protocol'
import { WorkerPool } from './worker/pool'

/** What a run produced, before the report is built around it. */
export type RunOutcome = Pick<
  BenchResults,
  'scenarios' | 'failures' | 'skipped' | 'serverLogs' | 'profile' | 'database'
> & { completed: boolean }

const log = (line: string) => console.log(line)

/**
 * Starts the fake upstream and the real server (child processes), the load generators (child
 * processes), and plays every wanted scenario. The main server carries warm-up, light load and
 * the ramp (and is the one profiled); memory and soak get a fresh server each so earlier heap
 * growth cannot hide theirs; lists get a server on the seeded database.
 */
export async function runScenarios(opts: {
  cfg: BenchConfig
  wants: (scenario: string) => boolean
  adminUrl: string
  dir: string
  stamp: string
}): Promise<RunOutcome> {
  const { cfg, wants, adminUrl } = opts
  const logsDir = join(opts.dir, 'logs')
  mkdirSync(logsDir, { recursive: true })
  const dataDir = join(opts.dir, 'data')
  const out: RunOutcome = {
    scenarios: {},
    failures: [],
    skipped: [],
    serverLogs: { warnings: 0, errors: 0, samples: [] },
    profile: null,
    database: { kind: 'pglite', version: null, note: null },
    completed: false,
  }

  const postgres = await postgresReachable(adminUrl)
  const prefix = `t3chat_bench_${process.pid}_`
  const databases: string[] = []
  if (postgres) {
    const left = await dropLeftovers(adminUrl, 't3chat_bench_', (name) => {
      const pid = Number(/^t3chat_bench_(\d+)_/.exec(name)?.[1])
      return Number.isInteger(pid) && !alive(pid)
    })
    if (left.length > 0) log(`dropped leftover databases of killed runs: ${left.join(', ')}`)
    out.database = { kind: 'postgres', version: await postgresVersion(adminUrl), note: null }
  } else {
    out.database.note = `Postgres unreachable at ${withoutPassword(adminUrl)}: fell back to embedded PGlite; lists at scale skipped`
    log(`bench: ${out.database.note}`)
  }
  const dropAll = async () => {
    for (const name of databases) await dropDatabase(adminUrl, name).catch(() => undefined)
  }
  const unregister = onInterrupt(dropAll)
  const newDatabase = async (suffix: string): Promise<string | null> => {
    if (!postgres) return null
    databases.push(`${prefix}${suffix}`)
    return createDatabase(adminUrl, `${prefix}${suffix}`)
  }

  const scenario = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    const t0 = performance.now()
    log(`\n== ${name}`)
    try {
      const result = await fn()
      log(`   (${((performance.now() - t0) / 1000).toFixed(1)} s)`)
      return result
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      out.failures.push({ scenario: name, error: message })
      log(`   FAILED: ${message}`)
      return undefined
    }
  }

  try {
    const fake = await startFakeProcess(join(logsDir, 'fake.log'))
    const mainDb = await newDatabase('main')
    let servers = 0
    const serve = async (
      profileDir: string | null,
      databaseUrl = mainDb,
      inspect = false,
      startupTimeoutMs?: number,
    ): Promise<ServerProcess> => {
      const server = await startServerProcess({
        databaseUrl,
        dataDir,
        upstreamBaseURL: fake.baseURL,
        logFile: join(logsDir, `server-${++servers}.log`),
        profileDir,
        inspect,
        ...(startupTimeoutMs !== undefined ? { startupTimeoutMs } : {}),
      })
      log(`server ${server.url} (pid ${server.pid})${profileDir !== null ? ', CPU-profiled' : ''}`)
      return server
    }
    const retire = async (server: ServerProcess) => {
      await server.stop()
      out.serverLogs.warnings += server.logs.warnings
      out.serverLogs.errors += server.logs.errors
      for (const s of server.logs.samples)
        if (out.serverLogs.samples.length < 10) out.serverLogs.samples.push(s)
    }

    const profileDir = cfg.profile
      ? join(repoRoot, 'bench', 'results', 'profiles', opts.stamp)
      : null
    if (profileDir !== null) mkdirSync(profileDir, { recursive: true })
    const server = await serve(profileDir)
    log(`fake upstream ${fake.baseURL} (pid ${fake.pid})`)

    const auth = await loadOrCreateLocalAuth(dataDir)
    const userCount = Math.max(
      ...cfg.ramp.levels,
      ...cfg.memory.levels,
      cfg.soak.concurrency,
      3 * cfg.workers,
    )
    const users: BenchUser[] = await Promise.all(
      Array.from({ length: userCount }, async () => {
        const id = randomUUID()
        return { id, token: await mintLocalToken(auth, { sub: id }) }
      }),
    )
    const startPool = (s: ServerProcess) =>
      WorkerPool.start({
        size: cfg.workers,
        url: s.url,
        serverPid: s.pid,
        upstreamBaseURL: fake.baseURL,
        users,
        logFile: join(logsDir, 'workers.log'),
      })
    let pool = await startPool(server)
    const probeOf = (s: ServerProcess): Probe => ({
      server: s.pid,
      fake: fake.pid,
      workers: () => pool.pids,
    })
    const probe = probeOf(server)

    const warmUp = async () => {
      const model = loremModel(cfg.warmup.tokens)
      const timeoutMs = streamTimeoutMs(cfg.warmup.tokens)
      const results = []
      for (const mode of ['direct', 'sse', 'ws'] as const) {
        await pool.prepare(mode, cfg.warmup.streams, model)
        results.push(
          ...(await pool.run({
            mode,
            count: cfg.warmup.streams,
            model,
            staggerMs: 500,
            timeoutMs,
          })),
        )
      }
      await pool.closeClients()
      const stats = streamStats(results)
      if (stats.failed > 0) throw new Error(`warm-up streams failed: ${stats.errors.join('; ')}`)
      return { ok: stats.ok, streams: stats.streams }
    }
    out.scenarios.warmup = await scenario('warm-up (not measured)', () => warmUp())

    if (wants('light'))
      out.scenarios.light = await scenario(
        'light load: sequential turns (direct / SSE / WS interleaved)',
        async () => {
          const r = await measureLight(pool, probe, cfg)
          for (const [mode, s] of Object.entries(r.byMode))
            log(
              `  ${mode.padEnd(6)} ok ${s.ok}/${s.streams}  ttft p50 ${s.ttft.p50} p99 ${s.ttft.p99}  gap p50 ${s.gap.p50} p99 ${s.gap.p99}  tokens/frame ${s.tokensPerFrame}`,
            )
          log(
            `  server CPU per turn: SSE ${r.serverMsPerTurn.sse} ms, WS ${r.serverMsPerTurn.ws} ms; other processes used ${r.cpu.otherCores} cores meanwhile`,
          )
          return r
        },
      )
    if (wants('ramp'))
      out.scenarios.ramp = await scenario(`concurrency ramp ${cfg.ramp.levels.join(', ')}`, () =>
        measureRamp(pool, probe, cfg, log),
      )
    if (wants('variants')) {
      const variants: VariantResult[] = []
      // Up to the reference level, the figures the targets are read at (quick: the first level).
      const levels = cfg.quick
        ? cfg.ramp.levels.slice(0, 1)
        : cfg.ramp.levels.filter((l) => l <= cfg.ramp.referenceLevel)
      const variant = async (
        name: string,
        v: Omit<VariantResult, 'name' | 'light' | 'ramp'>,
        target: ServerProcess,
      ) => {
        const r = await scenario(name, async () => {
          await pool.setStyle({ rounds: v.rounds, fresh: v.fresh })
          try {
            const p = probeOf(target)
            const light = await measureLight(pool, p, cfg)
            for (const [mode, s] of Object.entries(light.byMode))
              log(
                `  light ${mode.padEnd(6)} ok ${s.ok}/${s.streams}  ttft p50 ${s.ttft.p50} p99 ${s.ttft.p99}`,
              )
            const ramp = await measureRamp(pool, p, cfg, log, levels)
            return { name, ...v, light, ramp }
          } finally {
            await pool.setStyle(ONE_ROUND_TRIP)
          }
        })
        if (r) variants.push(r)
      }
      await variant(
        'plain clients: chat.send, then chat.stream; a new conversation each turn',
        { database: out.database.kind, rounds: 2, fresh: true },
        server,
      )
      if (postgres) {
        // Its own scenario: a slow first start (initdb, migrations) fails it, not the run.
        const embedded = await scenario('embedded PGlite server start-up', () =>
          serve(null, null, false, 180_000),
        )
        if (embedded !== undefined) {
          try {
            await pool.retarget(embedded.url, embedded.pid)
            await scenario('warm-up of the embedded server (not measured)', warmUp)
            await variant(
              'embedded PGlite (the default without DATABASE_URL)',
              { database: 'pglite', rounds: 1, fresh: false },
              embedded,
            )
          } finally {
            await retire(embedded)
            await pool.retarget(server.url, server.pid)
          }
        }
      }
      out.scenarios.variants = variants
    }
    if (wants('sql'))
      out.scenarios.sqlPerTurn = await scenario(
        `SQL statements per chat turn (${cfg.sqlTurn.tokens} tokens, in-process)`,
        async () => {
          const r = await measureSqlPerTurn({
            connectionString: await newDatabase('sql'),
            dataDir: join(opts.dir, 'sql-data'),
            upstreamBaseURL: fake.baseURL,
            model: loremModel(cfg.sqlTurn.tokens, cfg.sqlTurn.delayMs),
            tokens: cfg.sqlTurn.tokens,
          })
          log(
            `  ${r.statements} statements (${r.checkpoints} checkpoints; budget ${r.budget}): ${r.kinds.join(', ')}; ${r.dbMs} ms in the database`,
          )
          return r
        },
      )
    if (wants('sql'))
      out.scenarios.sqlPerTurnWithoutSearch = await scenario(
        `the same turn without the search index (its triggers off)`,
        async () => {
          const r = await measureSqlPerTurn({
            connectionString: await newDatabase('sqlnosearch'),
            dataDir: join(opts.dir, 'sql-data'),
            upstreamBaseURL: fake.baseURL,
            model: loremModel(cfg.sqlTurn.tokens, cfg.sqlTurn.delayMs),
            tokens: cfg.sqlTurn.tokens,
            searchIndex: false,
          })
          log(`  ${r.statements} statements; ${r.dbMs} ms in the database`)
          return r
        },
      )
    await retire(server)
    if (profileDir !== null) {
      const file = largestProfile(profileDir)
      if (file === null)
        out.failures.push({ scenario: 'profile', error: `no .cpuprofile written in ${profileDir}` })
      else out.profile = summarizeProfile(file, repoRoot)
    }

    if (wants('memory')) {
      const memory = []
      for (const transport of ['sse', 'ws'] as const) {
        const m = await scenario(
          `memory per live stream (${transport}, fresh server), ${cfg.memory.levels.join(' → ')} streams`,
          async () => {
            const fresh = await serve(null, mainDb, true)
            const inspector = await connectInspector(fresh)
            try {
              await pool.retarget(fresh.url, fresh.pid)
              const r = await measureMemory(pool, probeOf(fresh), inspector, cfg, transport)
              log(
                `  ${r.points.map((p) => `${p.live} live: RSS ${(p.rssKiB / 1024).toFixed(1)} MiB, heap ${(p.heapKiB / 1024).toFixed(1)} MiB, ${p.fds} fds`).join(' | ')}  → RSS ${r.kibPerStream}, heap ${r.heapKibPerStream} KiB/stream (${r.heapKibPerStreamWithoutText} without the text)`,
              )
              return r
            } finally {
              inspector?.close()
              await retire(fresh)
            }
          },
        )
        if (m) memory.push(m)
      }
      out.scenarios.memory = memory
    }
    await pool.close()

    if (wants('soak'))
      out.scenarios.soak = await scenario(
        `soak: ${cfg.soak.turns} turns, concurrency ${cfg.soak.concurrency} (fresh server)`,
        async () => {
          const fresh = await serve(null, mainDb, true)
          const inspector = await connectInspector(fresh)
          try {
            const r = await measureSoak(
              async () => {
                pool = await startPool(fresh)
                return pool
              },
              probeOf(fresh),
              inspector,
              cfg,
            )
            log(
              `  ok ${r.ok} failed ${r.failed} in ${r.durationS} s; after GC: RSS ${r.before.rssKiB} → ${r.after.rssKiB} KiB, heap ${r.before.heapKiB} → ${r.after.heapKiB} KiB, fds ${r.before.fds} → ${r.after.fds}; RSS slope ${r.kibPer1kTurns} KiB per 1k turns`,
            )
            return r
          } finally {
            await pool.close()
            inspector?.close()
            await retire(fresh)
          }
        },
      )

    if (wants('lists')) {
      if (!postgres) out.skipped.push({ scenario: 'lists at scale', reason: 'needs Postgres' })
      else
        out.scenarios.listAtScale = await scenario(
          `lists at scale: ${cfg.list.conversations} conversations × ${cfg.list.messagesPerConversation} messages`,
          async () => {
            const name = `${prefix}seed`
            databases.push(name)
            const r = await measureListAtScale({
              adminUrl,
              databaseName: name,
              plan: cfg.list,
              calls: cfg.list.calls,
              startServer: (url) => serve(null, url),
              stopServer: retire,
              dataDir,
            })
            log(
              `  seeded in ${r.seed.seconds.toFixed(1)} s; db conv ${r.database.conversationList.p50}/${r.database.conversationList.p99} msg ${r.database.messageList.p50}/${r.database.messageList.p99}; tRPC conv ${r.trpc.conversationList.p50}/${r.trpc.conversationList.p99} msg ${r.trpc.messageList.p50}/${r.trpc.messageList.p99} ms; db usage.summary ${r.usage.summary.p50}/${r.usage.summary.p99} ms (${r.usage.rows.user} of ${r.usage.rows.table} aggregate rows)`,
            )
            return r
          },
        )
    }
    if (wants('redis')) {
      if (!postgres) out.skipped.push({ scenario: 'redis', reason: 'needs Postgres' })
      else if (!(await redisAvailable()))
        out.skipped.push({ scenario: 'redis', reason: 'redis-server is not installed' })
      else {
        const redisDb = await newDatabase('redis')
        out.scenarios.redis = await scenario(
          'two instances on Postgres + Redis: follow from the other instance, resume, Redis cost, WS capacity',
          () =>
            measureRedis({
              cfg,
              users,
              serve: async (env) => {
                const s = await startServerProcess({
                  databaseUrl: redisDb,
                  dataDir,
                  upstreamBaseURL: fake.baseURL,
                  logFile: join(logsDir, `server-${++servers}.log`),
                  env,
                })
                log(`server ${s.url} (pid ${s.pid})${env.REDIS_URL ? ', with Redis' : ''}`)
                return s
              },
              retire,
              startPool,
              fakePid: fake.pid,
              logFile: join(logsDir, 'redis.log'),
              log,
            }),
        )
      }
    }
    await fake.stop()
    out.completed = true
  } catch (error) {
    out.failures.push({
      scenario: 'harness',
      error: error instanceof Error ? error.message : String(error),
    })
  } finally {
    killAll()
    await dropAll()
    unregister()
  }
  return out
}

/** The fresh server's inspector, or null (then readings are taken without a forced GC). */
async function connectInspector(server: ServerProcess): Promise<Inspector | null> {
  if (server.inspectorUrl === null) return null
  try {
    return await Inspector.connect(server.inspectorUrl)
  } catch {
    return null
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function withoutPassword(url: string): string {
  const u = new URL(url)
  u.password = ''
  return u.toString()
}

export type { ProfileSummary }
