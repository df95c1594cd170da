// `pnpm bench` / `pnpm bench --quick`: the fake upstream, the real server and the load
// generators in their own processes; every scenario measured in one run; a table on stdout,
// results/<date>.json and (full runs) BENCHMARKS.md.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs, type BenchArgs } from './args'
import { killAll } from './children'
import { benchConfig } from './config'
import { cpuGauge, gitState, machine } from './machine'
import { DEFAULT_ADMIN_URL } from './postgres'
import { machineCpuMs } from './proc-stats'
import type { ProfileSummary } from './profile-summary'
import { consoleTable } from './report/console'
import { headline } from './report/headline'
import { markdown, writeBenchmarksMd } from './report/markdown'
import type { BenchResults } from './report/results'
import { runScenarios } from './run'
import { repoRoot } from './server-process'
import { validate } from './validate'

const benchDir = join(repoRoot, 'bench')
const log = (line: string) => console.log(line)

const PREAMBLE = `# t3chat benchmarks

\`pnpm bench\` measures, in one run on one machine, t3chat streaming answers from the fake
OpenRouter upstream next to the same upstream called directly with the openai SDK (the floor):
"added" = through t3chat minus direct. The section between the markers below is rewritten by
every full run; the text outside them is kept.
`

/** Share of the machine's cores busy with other work over `ms` (nothing of ours runs yet). */
async function machineBusy(ms: number): Promise<number> {
  const a = machineCpuMs()
  await new Promise((resolve) => setTimeout(resolve, ms))
  const b = machineCpuMs()
  return Math.round(((b.busy - a.busy) / (b.total - a.total)) * 100) / 100
}

async function main(args: BenchArgs): Promise<number> {
  const cfg = benchConfig({
    quick: args.quick,
    profile: args.profile,
    heapDiff: args.heapDiff,
    workers: args.workers,
    levels: args.levels,
  })
  const started = performance.now()
  const date = new Date().toISOString()
  // Servers started later in the run load the code as it is then: say so if it moved.
  const gitAtStart = gitState(repoRoot)
  const stamp = date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')
  const dir = mkdtempSync(join(tmpdir(), 't3chat-bench-'))

  // A bound on the whole run: a hung scenario must not hang CI.
  const limitMin = cfg.quick ? 6 : 30
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${limitMin} minutes; giving up (logs in ${dir}/logs)`)
    killAll()
    process.exit(1)
  }, limitMin * 60_000)
  watchdog.unref()

  const busyBefore = await machineBusy(cfg.quick ? 300 : 1_000)
  const gaugeBefore = cpuGauge()
  if (busyBefore > 0.25)
    log(
      `bench: note: the machine is already ${Math.round(busyBefore * 100)}% busy with other work; latencies will show it`,
    )
  const outcome = await runScenarios({
    cfg,
    wants: (name) => args.only.size === 0 || args.only.has(name),
    adminUrl: process.env.BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL,
    dir,
    stamp,
  })
  const { completed, ...measured } = outcome
  const base = {
    date,
    git: {
      ...gitAtStart,
      changedDuringRun: JSON.stringify(gitState(repoRoot)) !== JSON.stringify(gitAtStart),
    },
    mode: cfg.quick ? ('quick' as const) : ('full' as const),
    durationS: Math.round((performance.now() - started) / 100) / 10,
    machine: {
      ...machine(),
      busyBefore,
      loadavgAfter: loadavg().map((v) => Math.round(v * 100) / 100),
      gaugeMs: { before: gaugeBefore, after: cpuGauge() },
    },
    commands: [
      `pnpm bench${process.argv
        .slice(2)
        .filter((a) => a !== '--')
        .map((a) => ` ${a}`)
        .join('')}   # this run`,
      'pnpm bench             # full run: writes bench/results/<date>.json and rewrites BENCHMARKS.md',
      'pnpm bench --quick     # CI: every scenario, small; fails only if one fails or yields no numbers',
      'pnpm bench --profile   # also CPU-profiles the main server (--cpu-prof) and summarises it',
      'pnpm --filter @t3chat/bench seed [--quick] [--keep]              # the list data set alone',
      'pnpm --filter @t3chat/bench profile:summary <file.cpuprofile|dir>  # top self-time functions',
      'pnpm bench --only=ramp,variants --levels=250   # development aid: chosen scenarios and ramp levels',
      '[SSE_LEAN=0] pnpm --filter @t3chat/bench bench:sse-start [--pglite] [--profile]  # subscription start cost, SSE vs WS',
    ],
    config: cfg,
    ...measured,
  }
  const results: BenchResults = { ...base, headline: headline(base) }
  const problems = completed
    ? validate(results, args.only)
    : ['the harness failed', ...results.failures.map((f) => `${f.scenario}: ${f.error}`)]

  log(`\n${consoleTable(results)}`)
  // Only complete full runs land in results/ (committed); quick and partial runs stay out of git.
  const outDir = join(
    benchDir,
    'results',
    ...(cfg.quick ? ['quick'] : args.only.size > 0 ? ['partial'] : []),
  )
  mkdirSync(outDir, { recursive: true })
  const outFile = join(outDir, `${stamp}.json`)
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`)
  log(`\nresults: ${outFile.slice(repoRoot.length + 1)} (${results.durationS} s)`)
  if (!cfg.quick && args.only.size === 0) {
    const md = join(benchDir, 'BENCHMARKS.md')
    writeBenchmarksMd(md, markdown(results, profileFor(results, outDir)), PREAMBLE)
    formatWithPrettier(md)
    log('updated bench/BENCHMARKS.md')
  }
  if (problems.length > 0) {
    console.error(
      `\nbench: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}\nlogs kept in ${dir}/logs`,
    )
    return 1
  }
  rmSync(dir, { recursive: true, force: true })
  return 0
}

/** The repository's prettier formats the generated file, so `pnpm lint` stays green. */
function formatWithPrettier(file: string): void {
  const prettier = join(repoRoot, 'node_modules', 'prettier', 'bin', 'prettier.cjs')
  try {
    execFileSync(process.execPath, [prettier, '--write', file], { cwd: repoRoot, stdio: 'ignore' })
  } catch {
    log(`bench: could not run prettier on ${file}; run \`npx prettier --write ${file}\``)
  }
}

/** This run's profile, or the newest earlier full run's that had one. */
function profileFor(
  results: BenchResults,
  dir: string,
): { summary: ProfileSummary; from: string } | null {
  if (results.profile !== null)
    return { summary: results.profile, from: 'this run (`pnpm bench --profile`)' }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .reverse()
  for (const file of files) {
    try {
      const earlier = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Partial<BenchResults>
      if (earlier.profile)
        return {
          summary: earlier.profile,
          from: `the \`pnpm bench --profile\` run of ${earlier.date ?? file}`,
        }
    } catch {
      // not a results file
    }
  }
  return null
}

let code = 1
try {
  code = await main(parseArgs(process.argv.slice(2)))
} catch (error) {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`)
} finally {
  killAll()
}
process.exit(code)
