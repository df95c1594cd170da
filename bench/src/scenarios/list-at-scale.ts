import { loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { createChatClient } from '@t3chat/client'
import { createDb, listConversations, listMessages, migrateToLatest } from '@t3chat/db'
import { createDatabase, dropDatabase } from '../postgres'
import { seed, type SeedPlan, type SeedResult } from '../seed'
import type { ServerProcess } from '../server-process'
import { cpuMs } from '../proc-stats'
import { round, summarize, type Summary } from '../stats'
import {
  measureSearchDatabase,
  measureSearchTrpc,
  searchQueries,
  type SearchAtScaleResult,
} from './search-at-scale'
import { measureUsageDatabase, type UsageAtScaleResult } from './usage-at-scale'

/**
 * List, history and search latency on a seeded database: the repository alone, and through
 * tRPC.
 */
export interface ListAtScaleResult {
  seed: SeedResult
  calls: number
  database: { conversationList: Summary; messageList: Summary }
  trpc: { conversationList: Summary; messageList: Summary }
  /** Server CPU per tRPC call (all threads, /proc), ms. */
  serverCpuMsPerCall: { conversationList: number; messageList: number; search: number }
  /** `search.messages` on the same data set. */
  search: SearchAtScaleResult
  /** `usage.summary`'s statements for the same user, a month of usage as heavy as the data set. */
  usage: UsageAtScaleResult
}

const WARMUP = 20

async function timed(calls: number, warmup: number, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < warmup; i++) await fn(i)
  const times: number[] = []
  for (let i = 0; i < calls; i++) {
    const started = performance.now()
    await fn(i)
    times.push(performance.now() - started)
  }
  return summarize(times)
}

/** A deterministic pseudo-random sequence, so runs pick comparable pages. */
function random(seedValue: number): () => number {
  let state = seedValue >>> 0
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}

/**
 * Seeds a fresh Postgres database, measures `listConversations`/`listMessages` on it directly,
 * then starts a second server process on it and measures `conversation.list`/`message.list`
 * through the client; drops the database at the end.
 */
export async function measureListAtScale(opts: {
  adminUrl: string
  databaseName: string
  plan: SeedPlan
  calls: number
  dataDir: string
  startServer: (databaseUrl: string) => Promise<ServerProcess>
  stopServer: (server: ServerProcess) => Promise<void>
}): Promise<ListAtScaleResult> {
  const url = await createDatabase(opts.adminUrl, opts.databaseName)
  try {
    const db = await createDb({ connectionString: url })
    let seeded: SeedResult
    let cursors: Array<string | null>
    let conversationIds: string[]
    let database: ListAtScaleResult['database']
    let queries: SearchAtScaleResult['queries']
    let searchDb: Awaited<ReturnType<typeof measureSearchDatabase>>
    let usage: UsageAtScaleResult
    try {
      await migrateToLatest(db)
      seeded = await seed(db, opts.plan)
      const userId = seeded.userId
      // Real cursors, by walking the whole list once (positions every 50 conversations).
      cursors = [null]
      for (let cursor: string | null = null; ;) {
        const page = await listConversations(db, { userId, limit: 50, cursor })
        if (page.nextCursor === null) break
        cursors.push(page.nextCursor)
        cursor = page.nextCursor
      }
      const ids = await db
        .selectFrom('conversations')
        .select('id')
        .where('userId', '=', userId)
        .execute()
      conversationIds = ids.map((r) => r.id)
      const pick = random(42)
      const cursorAt = () => cursors[Math.floor(pick() * cursors.length)] ?? null
      const conversationAt = () =>
        conversationIds[Math.floor(pick() * conversationIds.length)] ?? ''
      const m = opts.plan.messagesPerConversation
      const beforeAt = () => (pick() < 0.1 ? null : 2 + Math.floor(pick() * m))
      database = {
        conversationList: await timed(opts.calls, WARMUP, () =>
          listConversations(db, { userId, limit: 20, cursor: cursorAt() }),
        ),
        messageList: await timed(opts.calls, WARMUP, () =>
          listMessages(db, {
            userId,
            conversationId: conversationAt(),
            limit: 50,
            before: beforeAt(),
          }),
        ),
      }
      queries = await searchQueries(db, userId)
      searchDb = await measureSearchDatabase(db, userId, queries, opts.calls)
      usage = await measureUsageDatabase(db, userId, seeded.messages, opts.calls)
    } finally {
      await db.destroy()
    }

    const server = await opts.startServer(url)
    try {
      const token = await mintLocalToken(await loadOrCreateLocalAuth(opts.dataDir), {
        sub: seeded.userId,
      })
      const client = createChatClient({ url: server.url, getToken: () => token })
      const pick = random(7)
      const m = opts.plan.messagesPerConversation
      const cpu: Record<string, number> = {}
      const withCpu = async (name: string, run: () => Promise<Summary>) => {
        const before = cpuMs(server.pid)
        const summary = await run()
        cpu[name] = round((cpuMs(server.pid) - before) / (opts.calls + WARMUP), 3)
        return summary
      }
      const trpc = {
        conversationList: await withCpu('conversationList', () =>
          timed(opts.calls, WARMUP, () =>
            client.conversation.list.query({
              cursor: cursors[Math.floor(pick() * cursors.length)] ?? null,
            }),
          ),
        ),
        messageList: await withCpu('messageList', () =>
          timed(opts.calls, WARMUP, () =>
            client.message.list.query({
              conversationId: conversationIds[Math.floor(pick() * conversationIds.length)] ?? '',
              ...(pick() < 0.1 ? {} : { before: 2 + Math.floor(pick() * m) }),
            }),
          ),
        ),
      }
      // Search last: its own CPU reading, per call (warm-up calls included, as above).
      const searchCpuBefore = cpuMs(server.pid)
      const searchTrpc = await measureSearchTrpc(client, queries, opts.calls)
      cpu.search = round((cpuMs(server.pid) - searchCpuBefore) / (opts.calls + queries.length), 3)
      const search: SearchAtScaleResult = {
        queries,
        calls: opts.calls,
        firstPageHits: searchDb.firstPageHits,
        database: searchDb.database,
        trpc: searchTrpc,
      }
      return {
        seed: seeded,
        calls: opts.calls,
        database,
        trpc,
        serverCpuMsPerCall: {
          conversationList: cpu.conversationList ?? Number.NaN,
          messageList: cpu.messageList ?? Number.NaN,
          search: cpu.search ?? Number.NaN,
        },
        search,
        usage,
      }
    } finally {
      await opts.stopServer(server)
    }
  } finally {
    await dropDatabase(opts.adminUrl, opts.databaseName)
  }
}
