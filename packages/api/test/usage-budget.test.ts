import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import pino from 'pino'
import { addUsage, setBudgetOverride } from '@t3chat/db'
import { createApi, createCaller, createContext } from '../src/index'
import { useHarness } from './harness'
import {
  expectError,
  readUntil,
  rowCounts,
  sendAndFinish,
  textAtLeast,
  finalMessage,
} from './support/engine'

// The API's clock, moved by the tests (budget periods are UTC days and months).
const clock = { now: new Date('2026-03-31T12:00:00Z') }
const h = useHarness({ clock: () => clock.now })

/** A user with `spent` USD on the server's key today and a limit (the operator's override). */
async function userWith(opts: { spent: number; day?: number; month?: number }) {
  const u = await h.user()
  await u.caller.user.me()
  if (opts.day !== undefined)
    await setBudgetOverride(h.db, { user: u.id, period: 'day', usd: opts.day })
  if (opts.month !== undefined)
    await setBudgetOverride(h.db, { user: u.id, period: 'month', usd: opts.month })
  if (opts.spent > 0)
    await addUsage(h.db, {
      userId: u.id,
      day: clock.now.toISOString().slice(0, 10),
      model: 'fake/echo',
      keyOwner: 'server',
      promptTokens: 1,
      completionTokens: 1,
      cost: opts.spent,
    })
  return u
}

describe('budgets', () => {
  it('exactly at the limit: PAYMENT_REQUIRED from send, regenerate and edit, naming the limit and the reset; nothing stored', async () => {
    clock.now = new Date('2026-03-31T12:00:00Z')
    const u = await userWith({ spent: 0, day: 1 })
    const { conversation, userMessage } = await sendAndFinish(u.caller, { content: 'first' })
    await h.deps.runner.idle()
    await addUsage(h.db, {
      userId: u.id,
      day: '2026-03-31',
      model: 'fake/echo',
      keyOwner: 'server',
      promptTokens: 0,
      completionTokens: 0,
      cost: 1 - (await u.caller.usage.summary()).cost,
    })
    expect((await u.caller.usage.summary()).budget).toEqual({
      period: 'day',
      limitUsd: 1,
      spentUsd: expect.closeTo(1, 9) as number,
      resetsAt: '2026-04-01T00:00:00.000Z',
    })
    const before = await rowCounts(h.db)
    const message = /daily budget of \$1\.00.*resets at 2026-04-01T00:00:00\.000Z/
    await expectError(
      u.caller.chat.send({ clientMessageId: randomUUID(), content: 'more' }),
      'PAYMENT_REQUIRED',
      message,
    )
    await expectError(
      u.caller.chat.send({
        clientMessageId: randomUUID(),
        conversationId: conversation.id,
        content: 'more',
      }),
      'PAYMENT_REQUIRED',
      message,
    )
    await expectError(
      u.caller.chat.regenerate({ clientMessageId: randomUUID(), conversationId: conversation.id }),
      'PAYMENT_REQUIRED',
      message,
    )
    await expectError(
      u.caller.chat.edit({
        clientMessageId: randomUUID(),
        messageId: userMessage.id,
        content: 'x',
      }),
      'PAYMENT_REQUIRED',
      message,
    )
    expect(await rowCounts(h.db)).toEqual(before)
  })

  it('just below the limit a send goes through, and the answer that crosses it finishes', async () => {
    clock.now = new Date('2026-03-31T12:00:00Z')
    const u = await userWith({ spent: 0.9999999, day: 1 })
    const { answer } = await sendAndFinish(u.caller, { content: 'one more', model: 'fake/lorem' })
    expect(answer.status).toBe('completed')
    expect((await u.caller.usage.summary()).budget?.spentUsd).toBeGreaterThan(1)
    await expectError(
      u.caller.chat.send({ clientMessageId: randomUUID(), content: 'and another' }),
      'PAYMENT_REQUIRED',
    )
  })

  it('two concurrent sends on the last cent: one starts, the other is refused', async () => {
    clock.now = new Date('2026-03-31T12:00:00Z')
    const u = await userWith({ spent: 0.995, month: 1 })
    const send = () =>
      u.caller.chat.send({
        clientMessageId: randomUUID(),
        content: 'race',
        model: 'fake/slow:tokens=100',
      })
    const results = await Promise.allSettled([send(), send()])
    const started = results.filter((r) => r.status === 'fulfilled')
    const refused = results.filter((r) => r.status === 'rejected')
    expect(started).toHaveLength(1)
    expect(refused).toHaveLength(1)
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'PAYMENT_REQUIRED',
      message: expect.stringMatching(/monthly budget of \$1\.00.*still generating/) as string,
    })
    const first = (started[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof send>>>).value
    await readUntil(u.caller, first.assistantMessage.id, textAtLeast(1))
    await u.caller.chat.stop({ messageId: first.assistantMessage.id })
    expect(await finalMessage(u.caller, first.assistantMessage.id)).toMatchObject({
      status: 'cancelled',
    })
  })

  it('two instances sharing the database: concurrent sends on the last cent, one starts', async () => {
    clock.now = new Date('2026-03-31T12:00:00Z')
    const u = await userWith({ spent: 0.995, month: 1 })
    // A second API on the same database (its own hub and limits, as another instance has).
    const other = createApi({
      db: h.db,
      verifier: h.deps.verifier,
      llm: h.deps.llm,
      models: h.deps.models,
      logger: pino({ level: 'silent' }),
      config: { ...h.deps.config },
      clock: () => clock.now,
    })
    try {
      const callers = [
        u.caller,
        createCaller(createContext({ deps: other.deps, authorization: `Bearer ${u.token}` })),
      ]
      const results = await Promise.allSettled(
        callers.map((c) =>
          c.chat.send({
            clientMessageId: randomUUID(),
            content: 'race',
            model: 'fake/slow:tokens=100',
          }),
        ),
      )
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      const refused = results.filter((r) => r.status === 'rejected')
      expect(refused).toHaveLength(1)
      expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
        code: 'PAYMENT_REQUIRED',
      })
      for (const [i, r] of results.entries()) {
        if (r.status !== 'fulfilled') continue
        const caller = callers[i]
        if (caller === undefined) continue
        await caller.chat.stop({ messageId: r.value.assistantMessage.id })
        await finalMessage(caller, r.value.assistantMessage.id)
      }
    } finally {
      await other.close()
    }
  })

  it('resets at the period boundary (UTC)', async () => {
    clock.now = new Date('2026-03-31T23:59:59Z')
    const u = await userWith({ spent: 2, month: 2, day: 5 })
    await expectError(
      u.caller.chat.send({ clientMessageId: randomUUID(), content: 'late' }),
      'PAYMENT_REQUIRED',
      /monthly budget of \$2\.00.*resets at 2026-04-01T00:00:00\.000Z/,
    )
    expect((await u.caller.usage.summary()).budget).toMatchObject({
      period: 'month',
      spentUsd: 2,
      resetsAt: '2026-04-01T00:00:00.000Z',
    })
    clock.now = new Date('2026-04-01T00:00:00Z')
    expect((await u.caller.usage.summary()).budget).toMatchObject({ period: 'month', spentUsd: 0 })
    const { answer } = await sendAndFinish(u.caller, { content: 'new month' })
    expect(answer.status).toBe('completed')
    // The new answer counts on the new day.
    const days = await u.caller.usage.summary({
      from: '2026-03-01T00:00:00Z',
      to: '2026-04-30T00:00:00Z',
      groupBy: 'day',
    })
    expect(days.rows.map((r) => r.key)).toEqual(['2026-03-31', '2026-04-01'])
  })

  it('the operator’s override replaces the server’s default; removing it restores the default', async () => {
    clock.now = new Date('2026-03-31T12:00:00Z')
    const u = await userWith({ spent: 3, month: 2 })
    await expectError(
      u.caller.chat.send({ clientMessageId: randomUUID(), content: 'x' }),
      'PAYMENT_REQUIRED',
    )
    await setBudgetOverride(h.db, { user: u.id, period: 'month', usd: 10 })
    expect((await u.caller.usage.summary()).budget).toMatchObject({ limitUsd: 10, spentUsd: 3 })
    await setBudgetOverride(h.db, { user: u.id, period: 'month', usd: null })
    // No server default in this harness: no budget at all.
    expect((await u.caller.usage.summary()).budget).toBeNull()
    expect(
      await setBudgetOverride(h.db, { user: 'nobody@example.test', period: 'day', usd: 1 }),
    ).toBeUndefined()
  })
})
