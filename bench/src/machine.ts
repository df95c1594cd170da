import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import os from 'node:os'
import type { Machine } from './report/results'

/** The machine, from `os`. */
export function machine(): Omit<Machine, 'busyBefore' | 'loadavgAfter'> {
  const cpus = os.cpus()
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: os.platform(),
    release: os.release(),
  }
}

/** The commit being measured (and whether the server's code differs from it). */
export function gitState(cwd: string): { commit: string; dirty: boolean } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim()
  try {
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      dirty: git('status', '--porcelain', '--', 'apps', 'packages') !== '',
    }
  } catch {
    return { commit: 'unknown', dirty: false }
  }
}

/**
 * The machine's speed right now: one thread hashing 64 MiB with SHA-256, the median of 5
 * tries, in ms. This machine is shared with other virtual machines: the same work took up to
 * ~1.5× longer from one hour to the next (the direct floor's own CPU moved alike), so runs are
 * compared with their gauge beside them.
 */
export function cpuGauge(): number {
  const block = Buffer.alloc(1 << 20, 7)
  const times: number[] = []
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = performance.now()
    const hash = createHash('sha256')
    for (let i = 0; i < 64; i++) hash.update(block)
    hash.digest()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return Math.round((times[2] ?? Number.NaN) * 10) / 10
}
