/**
 * Named (prepared) statements for the `pg` pool. Kysely sends every statement unnamed, so
 * Postgres parses and plans it on every call: for the statements of a chat turn that was most
 * of their server time (measured with `log_min_duration_statement`: the turn's start statement
 * 0.30 ms parse + 0.39 ms plan + 0.46 ms execute; `findMessage` 0.30 + 0.56 + 0.04). A named
 * statement is parsed once per connection. It is still planned for its parameters on every
 * call (`plan_cache_mode = force_custom_plan`): the generic plan Postgres otherwise settles on
 * after five calls made search and the conversation list slower (one plan for every word and
 * every cursor: search at 1.1M messages went from 11.7 to 18.9 ms p50).
 *
 * Every data statement (select, insert, update, delete, with) gets a name derived from its
 * text; the same call site always compiles to the same text. A connection keeps at most
 * {@link MAX_PER_CONNECTION} of them (statements whose text varies — a list of N values —
 * would otherwise grow without bound on the server); past that, statements go unnamed.
 */
import { createHash } from 'node:crypto'
import type pg from 'pg'

export const MAX_PER_CONNECTION = 200

const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i

/** Names by statement text, shared by every connection (a name always means one text). */
const names = new Map<string, string>()

function nameOf(text: string): string {
  let name = names.get(text)
  if (name === undefined) {
    name = `t3_${createHash('sha1').update(text).digest('base64url')}`
    // Bounded like the connections' own sets: a text seen once is not worth keeping forever.
    if (names.size >= 10 * MAX_PER_CONNECTION) names.clear()
    names.set(text, name)
  }
  return name
}

type Query = (text: unknown, values?: unknown) => unknown

/** Makes each new connection of `pool` name its data statements. */
export function prepareStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    // Queued before anything the pool's user sends on this connection.
    void client.query('set plan_cache_mode = force_custom_plan').catch(() => undefined)
    const prepared = new Set<string>()
    const query = client.query.bind(client) as Query
    const named: Query = (text, values) => {
      if (typeof text !== 'string' || !Array.isArray(values) || !DATA_STATEMENT.test(text))
        return query(text, values)
      const name = nameOf(text)
      if (!prepared.has(name)) {
        if (prepared.size >= MAX_PER_CONNECTION) return query(text, values)
        prepared.add(name)
      }
      return query({ name, text, values })
    }
    Object.assign(client, { query: named })
  })
}
