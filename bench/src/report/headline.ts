import { GAP_LIMIT_MS } from '../scenarios/latency'
import { redisHeadline } from './redis'
import type { BenchResults, HeadlineRow } from './results'

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v >= 100 ? 0 : 2) : 'n/a')
const num = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a')
const within = (values: number[], limits: number[]) =>
  values.every((v, i) => Number.isFinite(v) && v <= (limits[i] ?? Number.NaN))

/** Server CPU per streamed token at the reference level, by transport (issue 16). */
const CPU_PER_TOKEN_US = { sse: 80, ws: 60 } as const

/** The table, filled from one run's scenarios. */
export function headline(r: Omit<BenchResults, 'headline'>): HeadlineRow[] {
  const rows: HeadlineRow[] = []
  const { light, ramp, memory, soak, sqlPerTurn, listAtScale } = r.scenarios
  const ref = r.config.ramp.referenceLevel
  for (const transport of ['sse', 'ws'] as const) {
    const t = transport.toUpperCase()
    if (light) {
      const a = light.added[transport]
      rows.push({
        metric: 'added time-to-first-token, light load (sequential), p50 / p99',
        transport: t,
        figure: `${ms(a.ttftP50)} / ${ms(a.ttftP99)} ms`,
        values: [a.ttftP50, a.ttftP99],
        target: '≤ 5 / ≤ 20 ms',
        met: within([a.ttftP50, a.ttftP99], [5, 20]),
      })
    }
    const atRef = ramp?.added.find((a) => a.level === ref && a.transport === transport)
    if (atRef) {
      rows.push({
        metric: `added TTFT at ${ref} concurrent streams (50 tok/s each), p50 / p99`,
        transport: t,
        figure: `${ms(atRef.ttftP50)} / ${ms(atRef.ttftP99)} ms`,
        values: [atRef.ttftP50, atRef.ttftP99],
        target: '≤ 15 / ≤ 100 ms',
        met: within([atRef.ttftP50, atRef.ttftP99], [15, 100]),
      })
    }
    if (light && atRef) {
      const values = [light.added[transport].gapP99, atRef.gapP99]
      rows.push({
        metric: `added inter-token gap p99, light / ${ref} streams`,
        transport: t,
        figure: `${ms(values[0] ?? Number.NaN)} / ${ms(values[1] ?? Number.NaN)} ms`,
        values,
        target: '≤ 5 / ≤ 25 ms',
        met: within(values, [5, 25]),
      })
    }
    if (ramp) {
      const max = ramp.maxLevelUnder100ms[transport]
      const top = Math.max(...r.config.ramp.levels)
      rows.push({
        metric: `concurrent streams at 50 tok/s with gap p99 < ${GAP_LIMIT_MS} ms`,
        transport: t,
        figure: max === top ? `≥ ${max} (highest level tried)` : String(max),
        values: [max],
        target: '≥ 750',
        met: max >= 750,
      })
      const run = ramp.runs.find((x) => x.level === ref && x.mode === transport)
      if (run) {
        rows.push({
          metric: `server CPU per streamed token (at ${ref} streams)`,
          transport: t,
          figure: `${num(run.cpuPerTokenUs)} µs`,
          values: [run.cpuPerTokenUs],
          target: `≤ ${CPU_PER_TOKEN_US[transport]} µs`,
          met: within([run.cpuPerTokenUs], [CPU_PER_TOKEN_US[transport]]),
        })
      }
    }
    const mem = memory?.find((m) => m.transport === transport)
    if (mem) {
      rows.push({
        metric:
          'server memory per live stream (RSS slope; JS heap after GC, and without the answer text so far, in brackets)',
        transport: t,
        figure: `${num(mem.kibPerStream)} KiB (heap ${num(mem.heapKibPerStream)} KiB; ${num(mem.heapKibPerStreamWithoutText)} KiB without the text)`,
        values: [mem.kibPerStream],
        target: '≤ 64 KiB',
        met: within([mem.kibPerStream], [64]),
      })
    }
  }
  if (sqlPerTurn) {
    rows.push({
      metric: `SQL statements per chat turn (${sqlPerTurn.tokens} tokens, ${sqlPerTurn.checkpoints} checkpoints)`,
      transport: '—',
      figure: String(sqlPerTurn.statements),
      values: [sqlPerTurn.statements, sqlPerTurn.checkpoints],
      target: `≤ 3 + one per checkpoint = ${sqlPerTurn.budget}`,
      met: sqlPerTurn.status === 'completed' && sqlPerTurn.statements <= sqlPerTurn.budget,
    })
  }
  if (listAtScale) {
    const scale = `${listAtScale.seed.conversations.toLocaleString('en')} conversations / ${listAtScale.seed.messages.toLocaleString('en')} messages`
    const pairs = [
      ['conversation.list', 'database', listAtScale.database.conversationList, [2, 10]],
      ['message.list', 'database', listAtScale.database.messageList, [2, 10]],
      ['conversation.list', 'through tRPC', listAtScale.trpc.conversationList, [5, 25]],
      ['message.list', 'through tRPC', listAtScale.trpc.messageList, [5, 25]],
    ] as const
    for (const [path, where, s, limits] of pairs) {
      rows.push({
        metric: `\`${path}\` at ${scale}: ${where} p50 / p99`,
        transport: where === 'database' ? 'pg' : 'HTTP',
        figure: `${ms(s.p50)} / ${ms(s.p99)} ms`,
        values: [s.p50, s.p99],
        target: `≤ ${limits[0]} / ≤ ${limits[1]} ms`,
        met: within([s.p50, s.p99], [...limits]),
      })
    }
    const usage = listAtScale.usage
    rows.push({
      metric: `\`usage.summary\` (a month of one user as heavy as ${scale}): database p50 / p99`,
      transport: 'pg',
      figure: `${ms(usage.summary.p50)} / ${ms(usage.summary.p99)} ms`,
      values: [usage.summary.p50, usage.summary.p99],
      target: '≤ 10 ms p99',
      met: usage.summary.p99 <= 10,
    })
    const search = listAtScale.search
    for (const [where, s, limits] of [
      ['database', search.database.all, [10, 50]],
      ['through tRPC', search.trpc.all, [15, 75]],
    ] as const) {
      rows.push({
        metric: `\`search.messages\` at ${scale}, ${search.queries.length} queries of 1–3 common/rare words: ${where} p50 / p99`,
        transport: where === 'database' ? 'pg' : 'HTTP',
        figure: `${ms(s.p50)} / ${ms(s.p99)} ms`,
        values: [s.p50, s.p99],
        target: `≤ ${limits[0]} / ≤ ${limits[1]} ms`,
        met: within([s.p50, s.p99], [...limits]),
      })
    }
  }
  if (soak) {
    const mib = (kib: number) => Math.round(kib / 1024)
    rows.push({
      metric: `soak: ${soak.turns} turns × ${soak.tokens} tokens, concurrency ${soak.concurrency}: memory kept per 1k turns (JS heap after GC)`,
      transport: 'SSE+WS',
      figure:
        `${num(soak.heapKibPer1kTurns)} KiB (heap ${mib(soak.before.heapKiB)} → ${mib(soak.after.heapKiB)} MiB, ` +
        `RSS ${mib(soak.before.rssKiB)} → ${mib(soak.after.rssKiB)} MiB, RSS slope ${num(soak.kibPer1kTurns, 0)} KiB/1k turns, fds ${soak.before.fds} → ${soak.after.fds})`,
      values: [soak.heapKibPer1kTurns, soak.kibPer1kTurns, soak.after.fds - soak.before.fds],
      target: 'no growth (≤ 512 KiB / 1k turns; fds back)',
      met:
        soak.failed === 0 && soak.heapKibPer1kTurns <= 512 && soak.after.fds - soak.before.fds <= 5,
    })
  }
  if (r.scenarios.redis) rows.push(...redisHeadline(r.scenarios.redis))
  return rows
}
