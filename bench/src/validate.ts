import type { BenchResults } from './report/results'

/**
 * What makes a run a failure (CI's quick run included): a scenario that failed or was left out,
 * a headline figure that is not a number, and — in quick mode, where load is tiny — any stream
 * that did not end well. Timing thresholds never fail a run.
 */
export function validate(r: BenchResults, only: ReadonlySet<string>): string[] {
  const problems = r.failures.map((f) => `${f.scenario}: ${f.error}`)
  const wants = (name: string) => only.size === 0 || only.has(name)
  const s = r.scenarios
  const expected: Array<[string, unknown]> = [
    ['light', s.light],
    ['ramp', s.ramp],
    ['variants', s.variants !== undefined && s.variants.length > 0 ? s.variants : undefined],
    ['memory', s.memory?.length === 2 ? s.memory : undefined],
    ['soak', s.soak],
    ['sql', s.sqlPerTurn],
    ['lists', r.database.kind === 'postgres' ? s.listAtScale : true],
    ['redis', s.redis ?? (r.skipped.some((x) => x.scenario === 'redis') ? true : undefined)],
  ]
  for (const [name, value] of expected) {
    if (wants(name) && value === undefined) problems.push(`${name}: no result`)
  }
  for (const row of r.headline) {
    if (row.values.length === 0 || row.values.some((v) => !Number.isFinite(v)))
      problems.push(`${row.metric} (${row.transport}): not a number (${row.figure})`)
  }
  if (r.mode === 'quick') {
    const failed: string[] = []
    for (const run of s.ramp?.runs ?? [])
      if (run.stats.failed > 0)
        failed.push(`ramp ${run.level} ${run.mode}: ${run.stats.errors.join('; ')}`)
    for (const [mode, stats] of Object.entries(s.light?.byMode ?? {}))
      if (stats.failed > 0) failed.push(`light ${mode}: ${stats.errors.join('; ')}`)
    for (const v of s.variants ?? []) {
      for (const run of v.ramp.runs)
        if (run.stats.failed > 0)
          failed.push(`${v.name}: ramp ${run.level} ${run.mode}: ${run.stats.errors.join('; ')}`)
      for (const [mode, stats] of Object.entries(v.light.byMode))
        if (stats.failed > 0) failed.push(`${v.name}: light ${mode}: ${stats.errors.join('; ')}`)
    }
    for (const m of s.memory ?? [])
      if (m.stats.failed > 0) failed.push(`memory ${m.transport}: ${m.stats.errors.join('; ')}`)
    if ((s.soak?.failed ?? 0) > 0) failed.push(`soak: ${s.soak?.errors.join('; ') ?? ''}`)
    for (const run of s.redis?.capacity ?? [])
      if (run.failed > 0)
        failed.push(`redis capacity ${run.level}${run.redis ? ' with Redis' : ''}`)
    problems.push(...failed.map((f) => `streams failed in ${f}`))
  }
  return problems
}
