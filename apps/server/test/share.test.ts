import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createChatClient } from '@t3chat/client'
import { unsubscribeAll } from './support/recording'
import { startTestServer, type TestServer } from './support/test-server'
import { rejectionCode, sendAndStream } from './support/wire'

// Share links through the real server: the owner shares with a token, anyone reads the link
// without one. Behind one trusted proxy (TRUST_PROXY=1) the limit counts the address the proxy
// appended to X-Forwarded-For, not what the client wrote before it.

let ts: TestServer
beforeAll(async () => {
  ts = await startTestServer({ TRUST_PROXY: '1', SHARE_VIEWS_PER_MIN: '2' })
})
afterEach(() => unsubscribeAll())
afterAll(async () => {
  await ts.close()
})

/** A client without a token whose requests arrive as if a proxy saw them from `address`. */
function viewerFrom(address: string) {
  return createChatClient({
    url: ts.url,
    getToken: () => null,
    fetch: (url, init) =>
      fetch(url, {
        ...init,
        headers: { ...init?.headers, 'x-forwarded-for': `198.51.100.1, ${address}` },
      }),
  })
}

describe('share links over the wire', () => {
  it('share.create with a token, share.get without one, revoke ends the link', async () => {
    const owner = ts.client('sse', await ts.token())
    const { sent, stream } = await sendAndStream(owner, {
      clientMessageId: randomUUID(),
      content: 'Hello over the wire',
    })
    expect(await stream.settled()).toBe('completed')
    const share = await owner.share.create.mutate({ conversationId: sent.conversation.id })
    expect(share.token).toMatch(/^[A-Za-z0-9_-]{32}$/)

    const viewer = viewerFrom('203.0.113.10')
    const view = await viewer.share.get.query({ token: share.token ?? '' })
    expect(view.messages.map((m) => [m.role, m.content.length > 0])).toStrictEqual([
      ['user', true],
      ['assistant', true],
    ])
    expect(view.messages[0]?.content).toBe('Hello over the wire')
    // The other procedures still need a token.
    expect(await rejectionCode(viewer.share.list.query())).toBe('UNAUTHORIZED')

    await owner.share.revoke.mutate({ id: share.id })
    expect(await rejectionCode(viewer.share.get.query({ token: share.token ?? '' }))).toBe(
      'NOT_FOUND',
    )
    // That was this address's second view (limit 2): the third is refused, another address is not.
    expect(await rejectionCode(viewer.share.get.query({ token: share.token ?? '' }))).toBe(
      'TOO_MANY_REQUESTS',
    )
    expect(
      await rejectionCode(viewerFrom('203.0.113.11').share.get.query({ token: 'unknown' })),
    ).toBe('NOT_FOUND')
  })
})
