import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from './support/test-server'
import { errorData } from './support/wire'

// Per-user rate limits as a client meets them: 429 TOO_MANY_REQUESTS saying when to retry.

let ts: TestServer
beforeAll(async () => {
  ts = await startTestServer({ RATE_LIMIT_CONVERSATIONS_PER_MIN: '2' })
})
afterAll(async () => {
  await ts.close()
})

describe('rate limits over the wire', () => {
  it('past RATE_LIMIT_CONVERSATIONS_PER_MIN: 429 with data.retryAfterMs, nothing created', async () => {
    const client = ts.client('sse', await ts.token())
    await client.conversation.create.mutate({})
    await client.conversation.create.mutate({})
    const error = await client.conversation.create.mutate({}).then(
      () => null,
      (e: unknown) => e,
    )
    const data = errorData(error)
    expect(data?.code).toBe('TOO_MANY_REQUESTS')
    expect(data?.httpStatus).toBe(429)
    expect(data?.retryAfterMs).toBeGreaterThan(0)
    expect(data?.retryAfterMs).toBeLessThanOrEqual(60_000)
    expect((await client.conversation.list.query({})).items).toHaveLength(2)
    // Someone else still may.
    const other = ts.client('sse', await ts.token())
    await expect(other.conversation.create.mutate({})).resolves.toBeDefined()
  })
})
