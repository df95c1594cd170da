import { describe, expect, it } from 'vitest'
import { percentile, slope, summarize } from '../src/stats'

describe('stats', () => {
  it('percentile is nearest-rank over the sorted sample', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(sorted, 50)).toBe(50)
    expect(percentile(sorted, 99)).toBe(99)
    expect(percentile(sorted, 100)).toBe(100)
    expect(percentile([7], 99)).toBe(7)
    expect(percentile([], 50)).toBeNaN()
  })

  it('summarize sorts a copy and leaves the input alone', () => {
    const input = [5, 1, 4, 2, 3]
    const s = summarize(input)
    expect(s).toMatchObject({ n: 5, p50: 3, p99: 5, max: 5, mean: 3 })
    expect(input).toEqual([5, 1, 4, 2, 3])
    expect(summarize([]).p50).toBeNaN()
  })

  it('slope is the least-squares gradient (the RSS-per-stream figure)', () => {
    expect(
      slope([
        { x: 0, y: 100 },
        { x: 250, y: 100 + 250 * 40 },
        { x: 500, y: 100 + 500 * 40 },
      ]),
    ).toBeCloseTo(40)
    expect(slope([{ x: 1, y: 1 }])).toBeNaN()
    expect(
      slope([
        { x: 1, y: 1 },
        { x: 1, y: 5 },
      ]),
    ).toBeNaN()
  })
})
