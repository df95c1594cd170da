import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { eventually, unsubscribeAll } from './support/recording'
import { startTestServer, type TestServer, type Transport } from './support/test-server'
import { errorCode, eventsOf, started } from './support/wire'

// Subscriptions and the WebSocket: the origin allowlist on upgrade, connections that never
// authenticate, caps on open subscriptions, and feeds that end when their token expires.

const ALLOWED = 'https://app.example'
let ts: TestServer
beforeAll(async () => {
  ts = await startTestServer({
    CORS_ORIGINS: ALLOWED,
    WS_AUTH_TIMEOUT_MS: '500',
    MAX_SUBSCRIPTIONS_PER_USER: '3',
    MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
  })
})
afterEach(() => unsubscribeAll())
afterAll(async () => {
  await ts.close()
})

const wsUrl = () => ts.url.replace(/^http/, 'ws')

/** How a raw WebSocket with these headers fares: 'open', or the refused upgrade's status. */
function upgrade(
  origin?: string,
): Promise<{ opened: boolean; status: number | null; socket: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl(), origin === undefined ? {} : { origin })
    socket.once('open', () => resolve({ opened: true, status: null, socket }))
    socket.once('unexpected-response', (_req, res) =>
      resolve({ opened: false, status: res.statusCode ?? null, socket }),
    )
    socket.once('error', () => undefined)
  })
}

describe('WebSocket upgrade', () => {
  it('refuses an Origin outside CORS_ORIGINS (regression: any page could subscribe over WS)', async () => {
    const refused = await upgrade('https://evil.example')
    expect(refused.opened).toBe(false)
    expect(refused.status).toBe(401)
    const allowed = await upgrade(ALLOWED)
    expect(allowed.opened).toBe(true)
    allowed.socket.close()
    const noOrigin = await upgrade() // not a browser: the CLI, other servers
    expect(noOrigin.opened).toBe(true)
    noOrigin.socket.close()
  })

  it('closes a connection that never authenticates after WS_AUTH_TIMEOUT_MS', async () => {
    const { socket } = await upgrade()
    const code = await new Promise<number>((resolve) => socket.once('close', resolve))
    expect(code).toBe(4401)
  })

  it('keeps an authenticated connection open past the timeout', async () => {
    const client = ts.client('ws', await ts.token())
    const feed = eventsOf(client)
    await started(feed)
    await new Promise((resolve) => setTimeout(resolve, 900))
    await client.conversation.create.mutate({ title: 'Still here' })
    await feed.waitFor((e) => e.data.type === 'conversation.created')
  })
})

describe('caps on open subscriptions', () => {
  it('per WebSocket connection: the third on one connection is TOO_MANY_REQUESTS', async () => {
    const client = ts.client('ws', await ts.token())
    const a = eventsOf(client)
    const b = eventsOf(client)
    await started(a)
    await started(b)
    const c = eventsOf(client)
    const error = await eventually(() => c.errors[0])
    expect(errorCode(error)).toBe('TOO_MANY_REQUESTS')
  })

  it('per user: the fourth, over any connections, is TOO_MANY_REQUESTS; closing one frees a place', async () => {
    const token = await ts.token()
    const feeds = [1, 2, 3].map(() => eventsOf(ts.client('sse', token)))
    for (const feed of feeds) await started(feed)
    const fourth = eventsOf(ts.client('sse', token))
    const error = await eventually(() => fourth.errors[0])
    expect(errorCode(error)).toBe('TOO_MANY_REQUESTS')
    fourth.unsubscribe()
    feeds[0]?.unsubscribe()
    await eventually(async () => {
      const again = eventsOf(ts.client('sse', token))
      try {
        await started(again, 1_000)
        return true
      } catch {
        again.unsubscribe()
        return undefined
      }
    })
  })
})

describe.each<Transport>(['sse', 'ws'])('a token that expires (%s)', (transport) => {
  it('ends the events feed with UNAUTHORIZED (regression: it kept delivering)', async () => {
    const auth = await loadOrCreateLocalAuth(ts.dataDir)
    const token = await mintLocalToken(auth, { sub: crypto.randomUUID(), expiresInSec: 2 })
    const feed = eventsOf(ts.client(transport, token))
    await started(feed)
    const error = await eventually(() => feed.errors[0], 10_000)
    expect(errorCode(error)).toBe('UNAUTHORIZED')
  })
})
