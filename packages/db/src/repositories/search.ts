import { sql, type RawBuilder } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database, Executor } from '../database'
import { decodeSearchCursor, encodeSearchCursor, type SearchCursor } from './search-cursor'

/**
 * What a search asks for, already split from the user's text (see the API's query parser).
 * Any text is safe here: every piece reaches Postgres as a parameter of a function that parses
 * it as a document (`plainto_tsquery`, `phraseto_tsquery`), never as `tsquery` syntax.
 */
export interface SearchTerms {
  /** Words every hit contains, in any order. */
  words: string[]
  /** Letters and digits only: matches any word that starts with it (the word being typed). */
  prefix: string | null
  /** Every hit contains each of these as consecutive words. */
  phrases: string[]
  /** No hit contains any of these (a word, or consecutive words). */
  excluded: string[]
}

/** One hit: a message whose text matches, or the first message of a conversation whose title does. */
export interface SearchRow {
  conversationId: string
  conversationTitle: string | null
  messageId: string
  seq: number
  role: 'user' | 'assistant'
  createdAt: Date
  field: 'content' | 'title'
  /** The matching text: the message's content, or the title. */
  text: string
  rank: number
}

/**
 * How many of the newest matches of each kind (messages, titles) are ranked. A common word
 * matches a large share of a user's messages, and ranking them all would read every one of
 * them; the newest this many are what a person searching a chat history looks for.
 */
export const SEARCH_WINDOW = 1000

/**
 * The user's messages and conversation titles matching `terms`, best first (rank, then newest),
 * one page. `conversationId` narrows to one conversation (the caller checks that it is the
 * user's). Every message counts, in every state and branch, as of its last saved text.
 * A query without any word to find returns nothing. A cursor this function did not produce
 * throws `InvalidCursorError`.
 */
export async function searchMessages(
  db: Kysely<Database>,
  q: {
    userId: string
    terms: SearchTerms
    conversationId: string | null
    limit: number
    cursor: string | null
  },
): Promise<{ rows: SearchRow[]; nextCursor: string | null }> {
  if (!Number.isInteger(q.limit) || q.limit < 1) throw new RangeError('limit must be ≥ 1')
  const cursor = q.cursor === null ? null : decodeSearchCursor(q.cursor)
  const positive = positiveQuery(q.terms)
  if (positive === null) return { rows: [], nextCursor: null }
  const query = fullQuery(positive, q.terms.excluded)
  const window = SEARCH_WINDOW

  if (q.conversationId !== null) {
    // One conversation: its messages by the (conversation_id, seq) index, then their documents.
    const hits = sql`
      select s.message_id, s.created_at, ts_rank_cd(s.document, ${query}, 1) as rank
      from messages m join message_search s on s.message_id = m.id
      where m.conversation_id = ${q.conversationId} and s.user_id = ${q.userId}
        and s.document @@ ${query}
      order by s.created_at desc, s.message_id desc
      limit ${window}`
    return runPage(db, { ...q, cursor, query, messageHits: hits })
  }

  // Every other search: one call of search_message_hits (migration 2026_12_02_0010), which
  // chooses between the user's newest messages and the word index on a sample of them.
  const hits = sql`
    select h.message_id, h.created_at, h.rank
    from search_message_hits(${q.userId}, ${query}, ${window}, ${SEARCH_PROBE}) h`
  return runPage(db, { ...q, cursor, query, messageHits: hits })
}

/**
 * How many of the user's newest messages a common query's matches are looked for in before
 * the word index is asked for older ones ("common": a fifth of the newest window matches).
 */
export const SEARCH_PROBE = 5000

async function runPage(
  db: Executor,
  q: {
    userId: string
    conversationId: string | null
    limit: number
    cursor: SearchCursor | null
    query: RawBuilder<unknown>
    messageHits: RawBuilder<unknown>
  },
): Promise<{ rows: SearchRow[]; nextCursor: string | null }> {
  const { query, cursor } = q
  const titleDocument = sql`search_document(coalesce(c.title, ''))`
  const onlyConversation = q.conversationId === null ? sql`` : sql`and c.id = ${q.conversationId}`
  const after =
    cursor === null
      ? sql``
      : sql`where (h.rank, h.created_at, h.field, h.message_id) <
                  (${cursor.rank}::real,
                   cast(${cursor.createdAt} as timestamp) at time zone 'UTC',
                   ${cursor.field}::text, ${cursor.messageId}::uuid)`
  // The page is chosen from the ranked ids first; only its rows are read in full.
  const result = await sql<SearchRow & { cursorCreatedAt: string | null }>`
    with message_hits as materialized (${q.messageHits}),
    title_hits as (
      select c.id, ts_rank_cd(${titleDocument}, ${query}, 1) as rank from conversations c
      where c.user_id = ${q.userId} and ${titleDocument} @@ ${query} ${onlyConversation}
      order by c.activity_at desc, c.id desc
      limit ${SEARCH_WINDOW}
    ),
    hits as (
      select mh.message_id, mh.created_at, 'content'::text as field, mh.rank from message_hits mh
      union all
      select m.id, m.created_at, 'title', th.rank
      from title_hits th join messages m on m.conversation_id = th.id and m.seq = 1
    ),
    page as (
      select * from hits h
      ${after}
      order by h.rank desc, h.created_at desc, h.field desc, h.message_id desc
      limit ${q.limit + 1}
    ),
    rows as (
      select m.conversation_id, c.title as conversation_title, m.id as message_id, m.seq,
             m.role, m.created_at, p.field,
             case when p.field = 'title' then c.title else m.content end as text, p.rank,
             to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
               as cursor_created_at
      from page p
      join messages m on m.id = p.message_id
      join conversations c on c.id = m.conversation_id
    )
    select * from rows r
    order by r.rank desc, r.created_at desc, r.field desc, r.message_id desc`.execute(db)

  const page = result.rows.slice(0, q.limit)
  const last = page.at(-1)
  const nextCursor =
    result.rows.length > q.limit && last && last.cursorCreatedAt !== null
      ? encodeSearchCursor(cursorOf(last, last.cursorCreatedAt))
      : null
  return {
    rows: page.map(({ cursorCreatedAt: _c, ...row }): SearchRow => row),
    nextCursor,
  }
}

function cursorOf(row: SearchRow, createdAt: string): SearchCursor {
  return { rank: row.rank, createdAt, field: row.field, messageId: row.messageId }
}

/** Everything a hit must contain (words, phrases, the prefix), or null when there is nothing. */
function positiveQuery(terms: SearchTerms): RawBuilder<unknown> | null {
  const parts = [
    ...terms.words.map((w) => sql`plainto_tsquery('simple', search_fold(${w}))`),
    ...terms.phrases.map((p) => sql`phraseto_tsquery('simple', search_fold(${p}))`),
    ...(terms.prefix === null ? [] : [prefixQuery(terms.prefix)]),
  ]
  if (parts.length === 0) return null
  return sql`(${sql.join(parts, sql` && `)})`
}

/**
 * `word:*` for the word being typed. The word is letters and digits only (the parser's job),
 * and is quoted by Postgres itself, so nothing in it can be read as `tsquery` syntax.
 */
function prefixQuery(prefix: string): RawBuilder<unknown> {
  return sql`to_tsquery('simple', quote_literal(search_fold(${prefix})) || ':*')`
}

/**
 * The whole query. Words that hold no lexeme (punctuation) vanish from `positive`, and a query
 * left with exclusions alone would match everything else: it matches nothing instead. Postgres
 * folds the `case` at planning time, so the indexes still see a constant query.
 */
function fullQuery(positive: RawBuilder<unknown>, excluded: string[]): RawBuilder<unknown> {
  const not = excluded.map((x) => sql`!! phraseto_tsquery('simple', search_fold(${x}))`)
  const all = not.length === 0 ? positive : sql`${positive} && ${sql.join(not, sql` && `)}`
  return sql`(case when numnode(${positive}) > 0 then ${all} else ''::tsquery end)`
}
