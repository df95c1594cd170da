// Summarises a V8 .cpuprofile: self time per function (name + file:line) and per package.
// Run alone: `pnpm --filter @t3chat/bench profile:summary <file.cpuprofile | dir> [top]`.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

interface CpuProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

interface CpuProfile {
  nodes: CpuProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
}

/** One row of the summary. */
export interface ProfileRow {
  name: string
  location: string
  selfMs: number
  /** Share of the non-idle samples, %. */
  share: number
}

/** Where a server's CPU went. */
export interface ProfileSummary {
  file: string
  sampleIntervalUs: number
  /** Non-idle CPU time the profile saw, ms. */
  busyMs: number
  idleMs: number
  top: ProfileRow[]
  byPackage: Array<{ name: string; selfMs: number; share: number }>
  /**
   * Functions by inclusive time: self plus everything they call synchronously (work continued
   * after an await is counted where it resumes); event-loop plumbing left out.
   */
  inclusive: Array<{ name: string; location: string; totalMs: number; share: number }>
  /** The same, only our own functions (packages/, apps/). */
  ours: Array<{ name: string; location: string; totalMs: number; share: number }>
}

/** `node_modules/.pnpm/x@1/node_modules/@scope/pkg/dist/a.js` → `@scope/pkg/dist/a.js`; repo paths relative. */
export function shortLocation(url: string, repoRoot: string): string {
  let path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url
  const nm = path.lastIndexOf('/node_modules/')
  if (nm >= 0) path = path.slice(nm + '/node_modules/'.length)
  else if (path.startsWith(`${repoRoot}/`)) path = path.slice(repoRoot.length + 1)
  return path
}

function packageOf(location: string, name: string): string {
  if (location === '') return name.startsWith('(') ? name : '(native/V8 builtins)'
  if (location.startsWith('node:')) return 'node: core'
  const parts = location.split('/')
  if (parts[0] === 'packages' || parts[0] === 'apps') return `${parts[0]}/${parts[1] ?? ''}`
  if (parts[0]?.startsWith('@')) return `${parts[0]}/${parts[1] ?? ''}`
  return parts[0] ?? location
}

/** Self time per callFrame (functionName + url:line), hitCount × the mean sample interval. */
export function summarizeProfile(file: string, repoRoot: string, topN = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const totalHits = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0)
  const samples = profile.samples?.length ?? totalHits
  const intervalUs = samples > 0 ? (profile.endTime - profile.startTime) / samples : 0
  const byFrame = new Map<string, ProfileRow>()
  const byPackage = new Map<string, number>()
  let idleMs = 0
  let busyMs = 0
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0
    if (hits === 0) continue
    const ms = (hits * intervalUs) / 1000
    const { functionName, url, lineNumber } = node.callFrame
    const name = functionName === '' ? '(anonymous)' : functionName
    if (name === '(idle)') {
      idleMs += ms
      continue
    }
    busyMs += ms
    const location = url === '' ? '' : `${shortLocation(url, repoRoot)}:${lineNumber + 1}`
    const key = `${name} ${location}`
    const row = byFrame.get(key) ?? { name, location, selfMs: 0, share: 0 }
    row.selfMs += ms
    byFrame.set(key, row)
    const pkg = packageOf(url === '' ? '' : shortLocation(url, repoRoot), name)
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms)
  }
  const pct = (ms: number) => Math.round((1000 * ms) / Math.max(busyMs, 1e-9)) / 10
  const all = inclusive(profile, repoRoot, intervalUs)
  const row = (r: { name: string; location: string; totalMs: number }) => ({
    name: r.name,
    location: r.location,
    totalMs: Math.round(r.totalMs),
    share: pct(r.totalMs),
  })
  const top = [...byFrame.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, topN)
    .map((r) => ({ ...r, selfMs: Math.round(r.selfMs), share: pct(r.selfMs) }))
  return {
    file,
    sampleIntervalUs: Math.round(intervalUs),
    busyMs: Math.round(busyMs),
    idleMs: Math.round(idleMs),
    top,
    byPackage: [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, ms]) => ({ name, selfMs: Math.round(ms), share: pct(ms) })),
    inclusive: all.slice(0, 2 * topN).map(row),
    ours: all
      .filter((r) => r.mine)
      .slice(0, topN)
      .map(row),
  }
}

/** Event-loop plumbing: on nearly every stack, it says nothing about where time goes. */
const PLUMBING = new Set([
  '(root)',
  '(program)',
  '(idle)',
  'processTicksAndRejections',
  'runMicrotasks',
  'runNextTicks',
  'processTimers',
  'listOnTimeout',
  'emit',
])

/**
 * Inclusive time per function (each sample counts once for every distinct function on its
 * stack), plumbing left out; `ours` keeps only packages/ and apps/.
 */
function inclusive(profile: CpuProfile, repoRoot: string, intervalUs: number) {
  const parent = new Map<number, number>()
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id)
  const keyOf = new Map<number, string | null>()
  const info = new Map<string, { name: string; location: string; totalMs: number; mine: boolean }>()
  for (const node of profile.nodes) {
    const name = node.callFrame.functionName || '(anonymous)'
    if (PLUMBING.has(name)) {
      keyOf.set(node.id, null)
      continue
    }
    const short = shortLocation(node.callFrame.url, repoRoot)
    const location = short === '' ? '' : `${short}:${node.callFrame.lineNumber + 1}`
    const key = `${name} ${location}`
    keyOf.set(node.id, key)
    if (!info.has(key)) {
      const mine = short.startsWith('packages/') || short.startsWith('apps/')
      info.set(key, { name, location, totalMs: 0, mine })
    }
  }
  const hits = new Map<number, number>()
  for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1)
  for (const [leaf, count] of hits) {
    const seen = new Set<string>()
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const key = keyOf.get(id)
      if (key == null || seen.has(key)) continue
      seen.add(key)
      const row = info.get(key)
      if (row) row.totalMs += (count * intervalUs) / 1000
    }
  }
  return [...info.values()].sort((a, b) => b.totalMs - a.totalMs)
}

/** The largest .cpuprofile in a directory (the server's; tsx may leave small ones too). */
export function largestProfile(dir: string): string | null {
  let best: { file: string; size: number } | null = null
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.cpuprofile')) continue
    const file = join(dir, name)
    const size = statSync(file).size
    if (best === null || size > best.size) best = { file, size }
  }
  return best?.file ?? null
}

/** The summary as text lines (also used by the report). */
export function formatProfile(summary: ProfileSummary): string[] {
  const lines = [
    `busy ${summary.busyMs} ms, idle ${summary.idleMs} ms, sample interval ${summary.sampleIntervalUs} µs`,
    '',
    '| self ms | % busy | function | location |',
    '|---:|---:|---|---|',
    ...summary.top.map(
      (r) => `| ${r.selfMs} | ${r.share} | \`${r.name}\` | ${r.location || '—'} |`,
    ),
    '',
    '| self ms | % busy | package / area |',
    '|---:|---:|---|',
    ...summary.byPackage.map((p) => `| ${p.selfMs} | ${p.share} | ${p.name} |`),
    '',
    'By inclusive time (self + synchronous callees; event-loop plumbing left out):',
    '',
    '| total ms | % busy | function | location |',
    '|---:|---:|---|---|',
    ...summary.inclusive.map(
      (r) => `| ${r.totalMs} | ${r.share} | \`${r.name}\` | ${r.location || '—'} |`,
    ),
    '',
    'Our own functions by inclusive time:',
    '',
    '| total ms | % busy | function | location |',
    '|---:|---:|---|---|',
    ...summary.ours.map((r) => `| ${r.totalMs} | ${r.share} | \`${r.name}\` | ${r.location} |`),
  ]
  return lines
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const target = process.argv[2]
  if (target === undefined) {
    console.error('usage: profile-summary <file.cpuprofile | directory> [top]')
    process.exit(2)
  }
  const file = statSync(target).isDirectory() ? largestProfile(target) : target
  if (file === null) {
    console.error(`no .cpuprofile in ${target}`)
    process.exit(1)
  }
  const root = join(import.meta.dirname, '..', '..')
  console.log(formatProfile(summarizeProfile(file, root, Number(process.argv[3] ?? 15))).join('\n'))
}
