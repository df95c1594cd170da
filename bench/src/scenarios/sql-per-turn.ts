import { randomUUID } from 'node:crypto'
import pino from 'pino'
import { createApi, createCaller, createContext, type ChatEvent } from '@t3chat/api'
import { createTokenVerifier, loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { sql } from 'kysely'
import { createDb, migrateToLatest } from '@t3chat/db'
import { createModelCatalog, createOpenRouterProvider } from '@t3chat/llm'
import { round } from '../stats'

/** Statements one chat turn costs, counted where they run (Kysely's log) in this process. */
export interface SqlPerTurnResult {
  tokens: number
  durationMs: number
  statements: number
  checkpoints: number
  budget: number
  status: string
  /** Each statement's first words, in order. */
  kinds: string[]
  /** Whether the full-text index was written (its triggers on); off only to measure its cost. */
  searchIndex: boolean
  /** The statements' time as the client saw it, in total and per kind, ms. */
  dbMs: number
  dbMsByKind: Record<string, number>
}

function kindOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (/^update "messages" set "content" = \$1, "status" = \$2/.test(flat)) return 'checkpoint'
  if (flat.startsWith('with conv as')) return 'startTurn'
  if (flat.startsWith('with done as')) return 'finishAnswer'
  if (/^select "role", "content" from "messages"/.test(flat)) return 'loadContext'
  return flat.slice(0, 60)
}

/**
 * Builds the API in this process on a counting database, plays one warm-up turn, then a
 * 500-token answer as the conversation's SECOND turn, and counts every statement from the
 * `chat.send` call until its final event (plus a short grace for stragglers).
 */
export async function measureSqlPerTurn(opts: {
  connectionString: string | null
  dataDir: string
  upstreamBaseURL: string
  model: string
  tokens: number
  /** Default true. False disables the search index's triggers, to measure what they cost. */
  searchIndex?: boolean
}): Promise<SqlPerTurnResult> {
  let counting = false
  const kinds: string[] = []
  const dbMsByKind: Record<string, number> = {}
  const db = await createDb({
    ...(opts.connectionString !== null ? { connectionString: opts.connectionString } : {}),
    log: (event) => {
      if (!counting) return
      const kind = kindOf(event.query.sql)
      kinds.push(kind)
      dbMsByKind[kind] = (dbMsByKind[kind] ?? 0) + event.queryDurationMillis
    },
  })
  const llm = createOpenRouterProvider({ apiKey: 'x', baseURL: opts.upstreamBaseURL })
  const auth = await loadOrCreateLocalAuth(opts.dataDir)
  const api = createApi({
    db,
    verifier: createTokenVerifier({ mode: 'local', secret: auth.secret }),
    llm,
    models: createModelCatalog({ provider: llm }),
    logger: pino({ level: 'warn' }),
    config: {
      rateLimits: { sendsPerMin: 0, callsPerMin: 0, conversationsPerMin: 0, shareViewsPerMin: 0 },
    },
  })
  try {
    await migrateToLatest(db)
    const searchIndex = opts.searchIndex ?? true
    if (!searchIndex) {
      await sql`alter table messages disable trigger message_search_insert`.execute(db)
      await sql`alter table messages disable trigger message_search_update`.execute(db)
    }
    const token = await mintLocalToken(auth, { sub: randomUUID() })
    const caller = createCaller(createContext({ deps: api.deps, authorization: `Bearer ${token}` }))

    const finish = async (messageId: string): Promise<ChatEvent> => {
      let last: ChatEvent | null = null
      for await (const raw of await caller.chat.stream({ messageId })) {
        const [, data] = raw as unknown as [string, ChatEvent]
        last = data
      }
      if (last?.type !== 'final') throw new Error('the stream ended without a final event')
      return last
    }

    // Turn 1 warms everything up (user row, model list, connections, the title job).
    const first = await caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'Hello there.',
      model: 'fake/lorem:tokens=20',
    })
    await finish(first.assistantMessage.id)
    await api.deps.runner.idle()

    counting = true
    const started = performance.now()
    const second = await caller.chat.send({
      conversationId: first.conversation.id,
      clientMessageId: randomUUID(),
      content: 'Tell me more.',
      model: opts.model,
    })
    const final = await finish(second.assistantMessage.id)
    const durationMs = performance.now() - started
    await new Promise((resolve) => setTimeout(resolve, 250))
    counting = false

    const checkpoints = kinds.filter((k) => k === 'checkpoint').length
    return {
      tokens: final.type === 'final' ? (final.message.usage?.completionTokens ?? 0) : 0,
      durationMs,
      statements: kinds.length,
      checkpoints,
      budget: 3 + checkpoints,
      status: final.type === 'final' ? final.message.status : 'none',
      kinds,
      searchIndex,
      dbMs: round(Object.values(dbMsByKind).reduce((a, b) => a + b, 0)),
      dbMsByKind: Object.fromEntries(Object.entries(dbMsByKind).map(([k, v]) => [k, round(v)])),
    }
  } finally {
    await api.close()
    await db.destroy()
  }
}
