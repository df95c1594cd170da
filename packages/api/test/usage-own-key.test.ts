import { randomBytes, randomUUID } from 'node:crypto'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { setBudgetOverride } from '@t3chat/db'
import { useHarness } from './harness'
import { expectError, messageRow, sendAndFinish } from './support/engine'

// Every line the API logs, at every level.
const lines: string[] = []
const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) })
// A keyless server: answers only run on users' own keys.
const h = useHarness({ keyless: true, logger })
const keys: string[] = []

function newKey(): string {
  const key = `sk-or-v1-${randomBytes(24).toString('hex')}`
  keys.push(key)
  return key
}

const storedSecret = async (id: string) =>
  (
    await h.db
      .selectFrom('users')
      .select(['providerKeySecret', 'providerKeyLast4'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).providerKeySecret

afterAll(() => {
  // Never logged, in any form, at any level.
  expect(lines.length).toBeGreaterThan(0)
  for (const key of keys) {
    for (const line of lines) {
      expect(line).not.toContain(key)
      expect(line).not.toContain(key.slice(9))
    }
  }
})

describe('the user’s own provider key', () => {
  it('makes a keyless server answer, on that key, outside the server’s budgets, stored encrypted and never returned', async () => {
    const u = await h.user()
    await expectError(
      u.caller.chat.send({ clientMessageId: randomUUID(), content: 'hi' }),
      'PRECONDITION_FAILED',
      /OPENROUTER_API_KEY.*user\.setProviderKey/,
    )
    const key = newKey()
    const me = await u.caller.user.setProviderKey({ key })
    expect(me.providerKey).toEqual({ last4: key.slice(-4), addedAt: expect.any(String) as string })
    expect(JSON.stringify(await u.caller.user.me())).not.toContain(key.slice(0, -4))

    // At rest: neither the key nor any plain encoding of it.
    const secret = (await storedSecret(u.id)) ?? ''
    expect(secret).toMatch(/^v1\./)
    for (const encoded of [
      key,
      key.slice(9),
      Buffer.from(key).toString('base64'),
      Buffer.from(key).toString('base64url'),
      Buffer.from(key).toString('hex'),
    ])
      expect(secret).not.toContain(encoded)

    // A zero budget does not apply to answers on the user's own key.
    await setBudgetOverride(h.db, { user: u.id, period: 'day', usd: 0 })
    const { answer } = await sendAndFinish(u.caller, { content: 'on my key', model: 'fake/echo' })
    expect(answer).toMatchObject({ status: 'completed', content: 'on my key' })
    expect(answer.usage?.costSource).toBe('provider')
    expect(await messageRow(h.db, answer.id)).toMatchObject({ keyOwner: 'user' })
    await h.deps.runner.idle()
    // The answer and its title went to the provider with the user's key.
    const used = h.fake.requests.filter((r) => r.headers.authorization === `Bearer ${key}`)
    expect(used.map((r) => r.model).sort()).toEqual(['fake/echo', h.deps.config.titleModel].sort())
    // Usage is still recorded (as theirs); it does not eat into the server's budget.
    const rows = await h.db
      .selectFrom('usageDaily')
      .select(['keyOwner', 'model', 'answers'])
      .where('userId', '=', u.id)
      .execute()
    expect(rows.map((r) => r.keyOwner)).toEqual(['user', 'user'])
    expect((await u.caller.usage.summary()).budget).toMatchObject({ limitUsd: 0, spentUsd: 0 })
  })

  it('a key the provider rejects is BAD_REQUEST and changes nothing', async () => {
    const u = await h.user()
    const good = newKey()
    await u.caller.user.setProviderKey({ key: good })
    const before = await storedSecret(u.id)
    const bad = newKey()
    h.fake.revokeKey(bad)
    await expectError(u.caller.user.setProviderKey({ key: bad }), 'BAD_REQUEST', /rejected/)
    expect(await storedSecret(u.id)).toBe(before)
    expect((await u.caller.user.me()).providerKey?.last4).toBe(good.slice(-4))
    await expectError(u.caller.user.setProviderKey({ key: 'short' }), 'BAD_REQUEST', /key/)
    await expectError(
      u.caller.user.setProviderKey({ key: 'has a space in it' }),
      'BAD_REQUEST',
      /key/,
    )
    expect(await storedSecret(u.id)).toBe(before)
  })

  it('a 401 on the user’s key later ends the answer `unauthorized`, saying their own key was rejected', async () => {
    const u = await h.user()
    const key = newKey()
    await u.caller.user.setProviderKey({ key })
    h.fake.revokeKey(key)
    const { answer } = await sendAndFinish(u.caller, { content: 'revoked', model: 'fake/echo' })
    expect(answer).toMatchObject({ status: 'error', content: '' })
    expect(answer.error?.code).toBe('unauthorized')
    expect(answer.error?.message).toMatch(/your own API key/)
  })

  it('null removes it: the column is emptied and the keyless server refuses again', async () => {
    const u = await h.user()
    await u.caller.user.setProviderKey({ key: newKey() })
    const removed = await u.caller.user.setProviderKey({ key: null })
    expect(removed.providerKey).toBeNull()
    expect(await storedSecret(u.id)).toBeNull()
    await expectError(
      u.caller.chat.send({ clientMessageId: randomUUID(), content: 'hi' }),
      'PRECONDITION_FAILED',
    )
  })

  it('a stored key sealed for one user does not open for another', async () => {
    const a = await h.user()
    const b = await h.user()
    await a.caller.user.me()
    await b.caller.user.me()
    await a.caller.user.setProviderKey({ key: newKey() })
    const sealed = await storedSecret(a.id)
    await h.db
      .updateTable('users')
      .set({ providerKeySecret: sealed, providerKeyLast4: 'xxxx' })
      .where('id', '=', b.id)
      .execute()
    await expectError(
      b.caller.chat.send({ clientMessageId: randomUUID(), content: 'steal' }),
      'PRECONDITION_FAILED',
      /set it again/,
    )
  })
})
