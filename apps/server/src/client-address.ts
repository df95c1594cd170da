import type { IncomingMessage } from 'node:http'

/**
 * The address a request came from. With `trustedProxies` = 0 (the default) that is the TCP
 * peer and `X-Forwarded-For` is ignored: anyone can write that header. Behind N reverse
 * proxies that each append the address they saw (TRUST_PROXY=N), it is the N-th entry from the
 * right of `X-Forwarded-For`; entries further left were written by the client and are ignored.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: number): string | null {
  const peer = req.socket.remoteAddress ?? null
  if (trustedProxies === 0) return peer
  const header = req.headers['x-forwarded-for']
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
  // Fewer entries than trusted proxies: the leftmost one came from the first trusted proxy.
  return hops[Math.max(0, hops.length - trustedProxies)] ?? peer
}
