import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { benchConfig } from '../src/config'
import { headline } from '../src/report/headline'
import { BEGIN, END, writeBenchmarksMd } from '../src/report/markdown'
import type { BenchResults } from '../src/report/results'

function baseResults(): Omit<BenchResults, 'headline'> {
  return {
    date: '2030-01-01T00:00:00.000Z',
    git: { commit: 'abc1234', dirty: false, changedDuringRun: false },
    mode: 'full',
    durationS: 1,
    machine: {
      cpus: 2,
      cpuModel: 'cpu',
      memoryGiB: 1,
      node: 'v20',
      platform: 'linux',
      release: '6',
      busyBefore: 0,
      loadavgAfter: [0, 0, 0],
    },
    database: { kind: 'postgres', version: '15', note: null },
    commands: [],
    config: benchConfig({ quick: false, profile: false }),
    scenarios: {},
    skipped: [],
    failures: [],
    serverLogs: { warnings: 0, errors: 0, samples: [] },
    profile: null,
  }
}

describe('headline', () => {
  it('judges the SQL budget as 3 + one statement per checkpoint', () => {
    const r = baseResults()
    const sql = {
      tokens: 500,
      durationMs: 10_000,
      checkpoints: 5,
      budget: 8,
      status: 'completed',
      kinds: [],
      searchIndex: true,
      dbMs: 20,
      dbMsByKind: {},
    }
    r.scenarios.sqlPerTurn = { ...sql, statements: 8 }
    expect(headline(r)[0]).toMatchObject({ met: true, figure: '8' })
    r.scenarios.sqlPerTurn = { ...sql, statements: 9 }
    expect(headline(r)[0]).toMatchObject({ met: false })
  })

  it('a NaN figure is never "met"', () => {
    const r = baseResults()
    const nan = Number.NaN
    r.scenarios.memory = [
      {
        transport: 'sse',
        points: [],
        kibPerStream: nan,
        heapKibPerStream: nan,
        heapKibPerStreamWithoutText: nan,
        fdsPerStream: nan,
        stats: {
          streams: 0,
          ok: 0,
          failed: 0,
          errors: [],
          ttft: { n: 0, p50: nan, p90: nan, p99: nan, max: nan, mean: nan },
          gap: { n: 0, p50: nan, p90: nan, p99: nan, max: nan, mean: nan },
          tokens: 0,
          frames: 0,
          tokensPerFrame: nan,
        },
      },
    ]
    expect(headline(r)[0]).toMatchObject({
      met: false,
      figure: 'n/a KiB (heap n/a KiB; n/a KiB without the text)',
    })
  })
})

describe('BENCHMARKS.md', () => {
  it('replaces only the generated block and keeps what people wrote around it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-md-')), 'BENCHMARKS.md')
    writeBenchmarksMd(file, 'first run', '# Title')
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n## Notes\n\nhand-written analysis\n`)
    writeBenchmarksMd(file, 'second run', '# Title')
    const text = readFileSync(file, 'utf8')
    expect(text).toContain('second run')
    expect(text).not.toContain('first run')
    expect(text).toContain('hand-written analysis')
    expect(text.indexOf(BEGIN)).toBeLessThan(text.indexOf(END))
  })
})
