import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { clientAddress } from './client-address'

function request(forwardedFor: string | undefined, peer = '10.0.0.1'): IncomingMessage {
  return {
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage
}

describe('clientAddress', () => {
  it('is the TCP peer unless proxies are trusted: X-Forwarded-For is ignored', () => {
    expect(clientAddress(request('203.0.113.9'), 0)).toBe('10.0.0.1')
  })

  it('behind one trusted proxy: the entry it appended, not what the client wrote', () => {
    expect(clientAddress(request('6.6.6.6, 203.0.113.9'), 1)).toBe('203.0.113.9')
    expect(clientAddress(request('203.0.113.9'), 1)).toBe('203.0.113.9')
  })

  it('behind two: the second entry from the right', () => {
    expect(clientAddress(request('6.6.6.6, 203.0.113.9, 10.0.0.7'), 2)).toBe('203.0.113.9')
  })

  it('falls back to the peer when a trusted proxy sent no header', () => {
    expect(clientAddress(request(undefined), 1)).toBe('10.0.0.1')
    expect(clientAddress(request(' , '), 1)).toBe('10.0.0.1')
  })
})
