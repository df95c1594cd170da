import { execFileSync } from 'node:child_process'
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
