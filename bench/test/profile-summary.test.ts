import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { largestProfile, shortLocation, summarizeProfile } from '../src/profile-summary'

const root = '/repo'
const frame = (
  id: number,
  functionName: string,
  url: string,
  hitCount: number,
  children: number[] = [],
) => ({
  id,
  callFrame: { functionName, url, lineNumber: 9 },
  hitCount,
  children,
})

function profileFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'))
  const nodes = [
    frame(1, '(root)', '', 0, [2, 3, 5]),
    frame(2, '(idle)', '', 50),
    frame(3, 'send', 'file:///repo/packages/api/src/chat/engine.ts', 10, [4]),
    frame(4, 'writev', '', 30),
    frame(
      5,
      'parse',
      'file:///repo/node_modules/.pnpm/openai@6/node_modules/openai/core/streaming.mjs',
      10,
    ),
  ]
  // 100 samples over 100 ms: 1 ms each. Leaf ids follow the hit counts.
  const samples = [
    ...Array(50).fill(2),
    ...Array(10).fill(3),
    ...Array(30).fill(4),
    ...Array(10).fill(5),
  ]
  writeFileSync(
    join(dir, 'small.cpuprofile'),
    JSON.stringify({ nodes: [], startTime: 0, endTime: 1, samples: [] }),
  )
  writeFileSync(
    join(dir, 'main.cpuprofile'),
    JSON.stringify({ nodes, startTime: 0, endTime: 100_000, samples }),
  )
  return dir
}

describe('profile summary', () => {
  it('shortens node_modules and repository paths', () => {
    expect(
      shortLocation(
        'file:///repo/node_modules/.pnpm/x@1/node_modules/@trpc/server/dist/a.mjs',
        root,
      ),
    ).toBe('@trpc/server/dist/a.mjs')
    expect(shortLocation('file:///repo/packages/api/src/x.ts', root)).toBe('packages/api/src/x.ts')
  })

  it('ranks self time per function, leaves idle out of the busy share, and sums inclusive time of our code', () => {
    const dir = profileFile()
    const file = largestProfile(dir)
    expect(file).toBe(join(dir, 'main.cpuprofile'))
    const s = summarizeProfile(file ?? '', root)
    expect(s.sampleIntervalUs).toBe(1000)
    expect(s.busyMs).toBe(50)
    expect(s.idleMs).toBe(50)
    expect(s.top[0]).toMatchObject({ name: 'writev', selfMs: 30, share: 60 })
    expect(s.top.map((r) => r.name)).toEqual(['writev', 'send', 'parse'])
    expect(s.byPackage.find((p) => p.name === 'openai')?.selfMs).toBe(10)
    // send's own 10 ms plus the 30 ms of writev it called.
    expect(s.ours).toEqual([
      { name: 'send', location: 'packages/api/src/chat/engine.ts:10', totalMs: 40, share: 80 },
    ])
  })
})
