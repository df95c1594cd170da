import type { BenchResults } from './results'

/** The headline table as plain text for stdout. */
export function consoleTable(r: BenchResults): string {
  const rows = [
    ['metric', 'via', 'figure', 'target', ''],
    ...r.headline.map((h) => [
      h.metric,
      h.transport,
      h.figure,
      h.target,
      h.met === null ? '' : h.met ? 'met' : 'MISSED',
    ]),
  ]
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? []
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  const out = [line(rows[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  ')]
  for (const row of rows.slice(1)) out.push(line(row))
  if (r.skipped.length > 0)
    out.push('', ...r.skipped.map((s) => `skipped ${s.scenario}: ${s.reason}`))
  if (r.failures.length > 0)
    out.push('', ...r.failures.map((f) => `FAILED ${f.scenario}: ${f.error}`))
  return out.join('\n')
}
