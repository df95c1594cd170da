import { describe, expect, it } from 'vitest'
import { formatContext } from './models'
import type { Message } from '@t3chat/client'
import { formatUsage } from './usage'

describe('numbers for people', () => {
  it('context windows: small ones are not "0k"', () => {
    expect(formatContext(256)).toBe('256')
    expect(formatContext(128_000)).toBe('128k')
    expect(formatContext(2_000_000)).toBe('2M')
    expect(formatContext(1_048_576)).toBe('1M')
  })

  it('usage says "1 token", not "1 tokens"', () => {
    const usage: NonNullable<Message['usage']> = {
      promptTokens: 3,
      completionTokens: 1,
      cost: null,
      costSource: null,
    }
    expect(formatUsage(usage)).toBe('3 → 1 token')
    expect(formatUsage({ ...usage, completionTokens: 2 })).toBe('3 → 2 tokens')
  })
})
