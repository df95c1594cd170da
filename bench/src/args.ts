/** Command-line flags of `pnpm bench`. */
export interface BenchArgs {
  quick: boolean
  profile: boolean
  /** Diagnostic: heap snapshots (memory: the last two readings; soak: before/after), diffed by kind. */
  heapDiff: boolean
  workers: number | undefined
  /** Development aid: the ramp's concurrency levels instead of the configured ones. */
  levels: number[] | undefined
  /** Run only these scenarios (development aid); all when empty. */
  only: Set<string>
}

export const SCENARIOS = [
  'light',
  'ramp',
  'variants',
  'memory',
  'soak',
  'sql',
  'lists',
  'redis',
] as const

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = {
    quick: false,
    profile: false,
    heapDiff: false,
    workers: undefined,
    levels: undefined,
    only: new Set(),
  }
  for (const arg of argv) {
    if (arg === '--') continue
    else if (arg === '--quick') args.quick = true
    else if (arg === '--profile') args.profile = true
    else if (arg === '--heap-diff') args.heapDiff = true
    else if (arg.startsWith('--workers=')) {
      const n = Number(arg.slice('--workers='.length))
      if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error('--workers=N: N must be 1..16')
      args.workers = n
    } else if (arg.startsWith('--levels=')) {
      const levels = arg.slice('--levels='.length).split(',').map(Number)
      if (levels.some((n) => !Number.isInteger(n) || n < 1 || n > 5_000))
        throw new Error('--levels=N,N: each N must be 1..5000')
      args.levels = levels
    } else if (arg.startsWith('--only=')) {
      for (const name of arg.slice('--only='.length).split(',')) {
        if (!(SCENARIOS as readonly string[]).includes(name))
          throw new Error(`--only: unknown scenario "${name}" (one of ${SCENARIOS.join(', ')})`)
        args.only.add(name)
      }
    } else if (arg === '--help' || arg === '-h') {
      throw new Error(
        'usage: pnpm bench [--quick] [--profile] [--heap-diff] [--workers=N] [--levels=N,N] [--only=light,ramp,variants,memory,soak,sql,lists,redis]',
      )
    } else throw new Error(`unknown argument "${arg}" (try --help)`)
  }
  return args
}
