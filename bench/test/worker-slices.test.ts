import { describe, expect, it } from 'vitest'
import { slices, split } from '../src/worker/pool'

describe('users per worker', () => {
  it('split spreads a count evenly', () => {
    expect(split(5, 2)).toEqual([3, 2])
    expect(split(750, 2)).toEqual([375, 375])
    expect(split(1, 3)).toEqual([1, 0, 0])
  })

  // Regression: consecutive memory batches (0→25→50 streams) asked worker 0 for user #25 of 25.
  it('consecutive batches never overlap and never run past the users a worker holds', () => {
    for (const workers of [1, 2, 3]) {
      for (const [a, b] of [
        [25, 25],
        [250, 250],
        [13, 7],
        [1, 1],
      ] as const) {
        const held = split(a + b, workers)
        const first = slices(0, a, workers)
        const second = slices(a, b, workers)
        for (let w = 0; w < workers; w++) {
          const one = first[w] ?? { from: 0, count: 0 }
          const two = second[w] ?? { from: 0, count: 0 }
          expect(one.from).toBe(0)
          expect(two.from).toBe(one.from + one.count)
          expect(two.from + two.count).toBeLessThanOrEqual(held[w] ?? 0)
        }
        expect([...first, ...second].reduce((n, s) => n + s.count, 0)).toBe(a + b)
      }
    }
  })
})
