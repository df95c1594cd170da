import { describe, expect, it } from 'vitest'
import { parseArgs } from '../src/args'

describe('pnpm bench arguments', () => {
  it('reads the flags pnpm passes through (with or without --)', () => {
    expect(parseArgs(['--', '--quick'])).toMatchObject({ quick: true, profile: false })
    expect(parseArgs(['--profile', '--workers=3', '--only=light,sql'])).toMatchObject({
      profile: true,
      workers: 3,
      only: new Set(['light', 'sql']),
    })
  })

  it('refuses what it does not know, naming it', () => {
    expect(() => parseArgs(['--fast'])).toThrow(/--fast/)
    expect(() => parseArgs(['--only=everything'])).toThrow(/everything/)
    expect(() => parseArgs(['--workers=0'])).toThrow(/workers/)
  })
})
