import { describe, expect, it } from 'vitest'
import { AuthError, bearerToken } from '../src/index'

function reasonOf(header: string | null | undefined): string | null {
  try {
    bearerToken(header)
    return null
  } catch (error) {
    return error instanceof AuthError ? error.reason : 'not an AuthError'
  }
}

describe('bearerToken', () => {
  it('returns the token of a Bearer header, scheme case-insensitive', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi')
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi')
    expect(bearerToken('  BEARER   abc.def.ghi  ')).toBe('abc.def.ghi')
  })

  it('reports a missing header as missing', () => {
    expect(reasonOf(undefined)).toBe('missing')
    expect(reasonOf(null)).toBe('missing')
    expect(reasonOf('')).toBe('missing')
    expect(reasonOf('   ')).toBe('missing')
  })

  it('reports other schemes and an empty Bearer as malformed', () => {
    expect(reasonOf('Basic x')).toBe('malformed')
    expect(reasonOf('Bearer')).toBe('malformed')
    expect(reasonOf('Bearer ')).toBe('malformed')
    expect(reasonOf('Bearer a b')).toBe('malformed')
    expect(reasonOf('Bearerabc')).toBe('malformed')
    expect(reasonOf('abc.def.ghi')).toBe('malformed')
  })

  it('says what to send', () => {
    expect(() => bearerToken('Basic dXNlcjpwYXNz')).toThrow(/Bearer <access token>/)
    expect(() => bearerToken('Basic dXNlcjpwYXNz')).not.toThrow(/dXNlcjpwYXNz/)
  })
})
