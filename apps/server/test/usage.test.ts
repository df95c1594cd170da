import { randomUUID } from 'node:crypto'
import { stat, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { setBudgetOverride } from '@t3chat/db'
import { unsubscribeAll } from './support/recording'
import { startTestServer, type TestServer } from './support/test-server'
import { rejectionCode, sendAndStream } from './support/wire'

// Usage, budgets and the user's own key through the real server and @t3chat/client, with the
// server's own environment (BUDGET_USD_PER_USER_DAY) and its generated encryption key.

let ts: TestServer
beforeAll(async () => {
  ts = await startTestServer({ BUDGET_USD_PER_USER_DAY: '0.001' }, { logLevel: 'trace' })
})
afterEach(() => unsubscribeAll())
afterAll(async () => {
  await ts.close()
})

describe('usage over the wire', () => {
  it('usage.summary has the answer’s cost and the daily budget from the environment; over it, chat.send is PAYMENT_REQUIRED', async () => {
    const sub = randomUUID()
    const client = ts.client('sse', await ts.token(sub))
    const { stream } = await sendAndStream(client, {
      clientMessageId: randomUUID(),
      content: 'Price this answer',
    })
    expect(await stream.settled()).toBe('completed')
    const summary = await client.usage.summary.query({ groupBy: 'model' })
    expect(summary.rows.find((r) => r.key === 'fake/echo')).toMatchObject({ answers: 1 })
    expect(summary.budget).toMatchObject({ period: 'day', limitUsd: 0.001 })

    // The operator sets this user's daily budget to 0 (what `pnpm admin budget` does).
    await setBudgetOverride(ts.db, { user: sub, period: 'day', usd: 0 })
    expect(
      await rejectionCode(
        client.chat.send.mutate({ clientMessageId: randomUUID(), content: 'more' }),
      ),
    ).toBe('PAYMENT_REQUIRED')
  })

  it('user.setProviderKey: checked, stored encrypted with the generated 0600 key, last4 only, never logged', async () => {
    const client = ts.client('ws', await ts.token())
    const key = `sk-or-v1-${randomUUID().replaceAll('-', '')}`
    const user = await client.user.setProviderKey.mutate({ key })
    expect(user.providerKey?.last4).toBe(key.slice(-4))
    expect(JSON.stringify(await client.user.me.query())).not.toContain(key.slice(0, -4))
    const keyFile = join(ts.dataDir, 'encryption.key')
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)
    expect(Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64')).toHaveLength(32)

    // Answers now run on it, outside the server's budget.
    const { stream } = await sendAndStream(client, {
      clientMessageId: randomUUID(),
      content: 'on my key',
    })
    expect(await stream.settled()).toBe('completed')
    expect(ts.fake.requests.some((r) => r.headers.authorization === `Bearer ${key}`)).toBe(true)

    ts.fake.revokeKey('sk-or-v1-rejected0000')
    expect(
      await rejectionCode(client.user.setProviderKey.mutate({ key: 'sk-or-v1-rejected0000' })),
    ).toBe('BAD_REQUEST')
    expect((await client.user.setProviderKey.mutate({ key: null })).providerKey).toBeNull()
    expect(ts.logs.length).toBeGreaterThan(0)
    for (const line of ts.logs) expect(line).not.toContain(key.slice(9))
  })
})
