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
