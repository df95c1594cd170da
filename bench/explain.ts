import pg from 'pg'
import { createDb, searchMessages } from '@t3chat/db'
const url = process.argv[2] ?? ''
const userId = process.argv[3] ?? ''
const text = process.argv[4] ?? 'lorem'
let captured: { sql: string; params: readonly unknown[] } | null = null
const db = await createDb({
  connectionString: url,
  log: (e) => {
    captured = { sql: e.query.sql, params: e.query.parameters }
  },
})
const words = text.split(' ')
const terms = { words: words.slice(0, -1), prefix: words.at(-1) ?? null, phrases: [], excluded: [] }
for (let i = 0; i < 3; i++) {
  const t = performance.now()
  await searchMessages(db, { userId, terms, conversationId: null, limit: 20, cursor: null })
  console.log('ms', (performance.now() - t).toFixed(1))
}
await db.destroy()
const c = new pg.Client({ connectionString: url, user: 'postgres' })
await c.connect()
const cap = captured as unknown as { sql: string; params: unknown[] }
const r = await c.query(`explain (analyze, buffers) ${cap.sql}`, cap.params)
console.log(r.rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n'))
await c.end()
