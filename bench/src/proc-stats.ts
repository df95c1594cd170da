import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

let ticks: number | null = null

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`, normally 100). */
export function clockTicks(): number {
  if (ticks !== null) return ticks
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
    ticks = Number.isFinite(value) && value > 0 ? value : 100
  } catch {
    ticks = 100
  }
  return ticks
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may contain spaces: count fields after its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return ((utime + stime) * 1000) / clockTicks()
}

/** Resident set size of a process, in KiB (VmRSS). */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  return match?.[1] !== undefined ? Number(match[1]) : Number.NaN
}

/** Open file descriptors of a process. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length
}

/** CPU time of several processes at once (missing ones count 0). */
export function cpuMsOf(pids: readonly number[]): number {
  let total = 0
  for (const pid of pids) {
    try {
      total += cpuMs(pid)
    } catch {
      // exited: it used what it used before
    }
  }
  return total
}

/** Busy and total CPU time of the whole machine so far (all cores, from `/proc/stat`), ms. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? ''
  const [, ...fields] = line.trim().split(/\s+/)
  const n = fields.map(Number)
  // user nice system idle iowait irq softirq steal …
  const idle = (n[3] ?? 0) + (n[4] ?? 0)
  const total = n.slice(0, 8).reduce((sum, v) => sum + v, 0)
  const toMs = (ticks: number) => (ticks * 1000) / clockTicks()
  return { busy: toMs(total - idle), total: toMs(total) }
}
