import { sql, type Kysely } from 'kysely'
import type { ChatClient } from '@t3chat/client'
import { searchMessages, type Database, type SearchTerms } from '@t3chat/db'
import { summarize, type Summary } from '../stats'

/** A query the search scenario runs, and which kind of words it holds. */
export interface SearchQuery {
  kind: 'common' | 'rare' | 'mixed'
  text: string
}

/** `search.messages` latency on the list-at-scale seed, per kind of query and overall. */
export interface SearchAtScaleResult {
  queries: SearchQuery[]
  calls: number
  /** Hits on the first page of each query (20 per page), in `queries` order. */
  firstPageHits: number[]
  database: { all: Summary; byKind: Record<SearchQuery['kind'], Summary> }
  trpc: { all: Summary; byKind: Record<SearchQuery['kind'], Summary> }
}

/**
 * The queries, built from the seed's own words: "common" ones match half the messages
 * (every question or every answer), "rare" ones a single message (its random hex word, whole
 * or typed halfway), "mixed" ones a common and a rarer word, or two common words that never
 * meet (nothing matches, the hardest case for the planner).
 */
export async function searchQueries(db: Kysely<Database>, userId: string): Promise<SearchQuery[]> {
  const { rows } = await sql<{ content: string }>`
    select m.content from messages m join conversations c on c.id = m.conversation_id
    where c.user_id = ${userId} and m.role = 'user'
    order by m.id limit 3`.execute(db)
  const hex = rows.map((r) => /about ([0-9a-f]+)\?/.exec(r.content)?.[1] ?? 'deadbeef')
  const [a = '', b = '', c = ''] = hex
  return [
    { kind: 'common', text: 'lorem' },
    { kind: 'common', text: 'lorem ipsum' },
    { kind: 'common', text: 'ipsum dolor sit' },
    { kind: 'common', text: 'question about' },
    { kind: 'rare', text: a },
    { kind: 'rare', text: b.slice(0, 8) },
    { kind: 'rare', text: `about ${c}` },
    { kind: 'mixed', text: 'question 57' },
    { kind: 'mixed', text: `question ${a.slice(0, 6)}` },
    { kind: 'mixed', text: 'lorem question' },
  ]
}

/** What the API's parser makes of these simple queries: whole words, the last one a prefix. */
function termsOf(text: string): SearchTerms {
  const words = text.split(' ')
  return { words: words.slice(0, -1), prefix: words.at(-1) ?? null, phrases: [], excluded: [] }
}

async function timedRoundRobin(
  queries: SearchQuery[],
  calls: number,
  run: (q: SearchQuery) => Promise<unknown>,
) {
  for (const q of queries) await run(q) // warm-up: each query once
  const times: Record<SearchQuery['kind'], number[]> = { common: [], rare: [], mixed: [] }
  const all: number[] = []
  for (let i = 0; i < calls; i++) {
    const q = queries[i % queries.length]
    if (q === undefined) continue
    const started = performance.now()
    await run(q)
    const ms = performance.now() - started
    times[q.kind].push(ms)
    all.push(ms)
  }
  return {
    all: summarize(all),
    byKind: {
      common: summarize(times.common),
      rare: summarize(times.rare),
      mixed: summarize(times.mixed),
    },
  }
}

/** `searchMessages` in the benchmark process over a pg pool. */
export async function measureSearchDatabase(
  db: Kysely<Database>,
  userId: string,
  queries: SearchQuery[],
  calls: number,
): Promise<{ firstPageHits: number[]; database: SearchAtScaleResult['database'] }> {
  const run = (q: SearchQuery) =>
    searchMessages(db, {
      userId,
      terms: termsOf(q.text),
      conversationId: null,
      limit: 20,
      cursor: null,
    })
  const firstPageHits: number[] = []
  for (const q of queries) firstPageHits.push((await run(q)).rows.length)
  return { firstPageHits, database: await timedRoundRobin(queries, calls, run) }
}

/** `search.messages` through the typed client and a real server. */
export async function measureSearchTrpc(
  client: ChatClient,
  queries: SearchQuery[],
  calls: number,
): Promise<SearchAtScaleResult['trpc']> {
  return timedRoundRobin(queries, calls, (q) => client.search.messages.query({ query: q.text }))
}
