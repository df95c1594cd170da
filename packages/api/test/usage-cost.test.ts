import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { FAKE_COMPLETION_PRICE, FAKE_PROMPT_PRICE, fakeCost, loremText } from '@t3chat/llm/fake'
import { useHarness } from './harness'
import { messageRow, requestsFor, sendAndFinish, stopMidAnswer, waitFor } from './support/engine'

const h = useHarness({
  config: {
    // Due again at once: the fake's generation endpoint answers 404 once, then the cost.
    // Passes run when a test asks (runOnce), never by themselves.
    reconcile: {
      retryBaseMs: 0,
      maxDelayMs: 0,
      maxAttempts: 5,
      intervalMs: 3_600_000,
      auto: false,
    },
  },
})

const jobOf = (messageId: string) =>
  h.db
    .selectFrom('usageReconciliations')
    .selectAll()
    .where('messageId', '=', messageId)
    .executeTakeFirst()

describe('the cost of every answer', () => {
  it('comes from the stream’s usage chunk (costSource provider) and lands in the day’s aggregate with the title', async () => {
    const { caller } = await h.user()
    const { answer, conversation } = await sendAndFinish(caller, {
      content: 'count me',
      model: 'fake/lorem:tokens=20',
    })
    expect(answer.usage).toEqual({
      promptTokens: expect.any(Number) as number,
      completionTokens: 20,
      cost: fakeCost(answer.usage?.promptTokens ?? -1, 20),
      costSource: 'provider',
    })
    const row = await messageRow(h.db, answer.id)
    expect(row).toMatchObject({ costSource: 'provider', keyOwner: 'server' })
    expect(row.generationId).toMatch(/^gen-/)
    await h.deps.runner.idle() // the title's cost is recorded in the background

    const byModel = await caller.usage.summary({ groupBy: 'model' })
    const answerRow = byModel.rows.find((r) => r.key === 'fake/lorem:tokens=20')
    expect(answerRow).toMatchObject({ answers: 1, completionTokens: 20 })
    expect(answerRow?.cost).toBeCloseTo(answer.usage?.cost ?? -1, 12)
    // The title (the server's money too) counts, as no answer.
    const title = byModel.rows.find((r) => r.key === h.deps.config.titleModel)
    expect(title).toMatchObject({ answers: 0 })
    expect(title?.cost).toBeGreaterThan(0)
    expect(byModel.answers).toBe(1)
    expect(byModel.cost).toBeCloseTo((answer.usage?.cost ?? 0) + (title?.cost ?? 0), 12)
    expect(byModel.budget).toBeNull()

    const byDay = await caller.usage.summary({ groupBy: 'day' })
    expect(byDay.rows).toEqual([
      {
        key: new Date().toISOString().slice(0, 10),
        answers: 1,
        cost: expect.closeTo(byModel.cost, 12) as number,
        promptTokens: byModel.promptTokens,
        completionTokens: byModel.completionTokens,
      },
    ])
    // Another user's usage is theirs alone; a range before today is empty.
    const other = await h.user()
    expect((await other.caller.usage.summary()).rows).toEqual([])
    const lastYear = await caller.usage.summary({
      from: '2020-01-01T00:00:00Z',
      to: '2020-12-31T23:59:59Z',
    })
    expect(lastYear).toMatchObject({ cost: 0, answers: 0, rows: [] })
    expect(conversation.id).toBeDefined()
  })

  it('is estimated from the catalog’s price × tokens when the provider reports none (tokens counted as chars / 4)', async () => {
    const { caller } = await h.user()
    const model = 'fake/lorem:tokens=10,usage=0'
    const { answer } = await sendAndFinish(caller, { content: 'estimate me', model })
    expect(answer.status).toBe('completed')
    const completionTokens = Math.ceil(loremText(10).length / 4)
    const request = requestsFor(h, model)[0]
    const prompt = (request?.body.messages as { content: string }[]).reduce(
      (n, m) => n + m.content.length,
      0,
    )
    const promptTokens = Math.ceil(prompt / 4)
    expect(answer.usage).toEqual({
      promptTokens,
      completionTokens,
      cost: expect.closeTo(
        promptTokens * FAKE_PROMPT_PRICE + completionTokens * FAKE_COMPLETION_PRICE,
        12,
      ) as number,
      costSource: 'estimated',
    })
    expect(await jobOf(answer.id)).toBeUndefined()
  })

  it('of an answer stopped before its usage chunk is asked of the provider afterwards, with retries', async () => {
    const { caller } = await h.user()
    const { stopped, model } = await stopMidAnswer(caller)
    const id = stopped.id
    expect(stopped.status).toBe('cancelled')
    // Until the provider says, the answer carries an estimate and a job is queued.
    expect(stopped.usage?.costSource).toBe('estimated')
    const job = await waitFor(() => jobOf(id), 'the reconciliation job')
    expect(job).toMatchObject({ attempts: 0, keyOwner: 'server' })
    const request = requestsFor(h, model)[0]
    await request?.finished

    // The generation endpoint answers 404 first (not there yet): the job is retried later.
    expect(await h.deps.reconciler.runOnce()).toBe(0)
    expect(await jobOf(id)).toMatchObject({ attempts: 1 })
    expect(await h.deps.reconciler.runOnce()).toBe(1)
    expect(await jobOf(id)).toBeUndefined()

    const row = await messageRow(h.db, id)
    expect(row.costSource).toBe('provider')
    const billed = row.completionTokens ?? -1
    expect(billed).toBeGreaterThanOrEqual(3)
    expect(row.cost).toBeCloseTo(fakeCost(row.promptTokens ?? -1, billed), 12)
    const [after] = (
      await caller.message.list({ conversationId: stopped.conversationId })
    ).items.filter((m) => m.id === id)
    expect(after?.usage).toMatchObject({ cost: row.cost, costSource: 'provider' })
    // The day's aggregate moved from the estimate to the provider's cost: no double count.
    const summary = await caller.usage.summary({ groupBy: 'model' })
    expect(summary.rows.find((r) => r.key === model)).toMatchObject({
      answers: 1,
      completionTokens: billed,
      cost: expect.closeTo(row.cost ?? -1, 12) as number,
    })
    // Settled once: another pass changes nothing.
    expect(await h.deps.reconciler.runOnce()).toBe(0)
  })

  it('of an answer a crash interrupted after its stream started is asked of the provider too (the generation id was checkpointed)', async () => {
    const u = await h.user()
    const { answer } = await sendAndFinish(u.caller, { content: 'billed', model: 'fake/lorem' })
    const { generationId } = await messageRow(h.db, answer.id)
    // What a crashed process leaves: a streaming answer whose checkpoint recorded the generation.
    const conversationId = randomUUID()
    const answerId = randomUUID()
    await h.db
      .insertInto('conversations')
      .values({
        id: conversationId,
        userId: u.id,
        currentModel: 'fake/lorem',
        lastSeq: 1,
        messageCount: 1,
        activeMessageId: answerId,
      })
      .execute()
    await h.db
      .insertInto('messages')
      .values({
        id: answerId,
        conversationId,
        seq: 1,
        role: 'assistant',
        content: 'Lorem ipsum',
        model: 'fake/lorem',
        status: 'streaming',
        generationId,
        keyOwner: 'server',
      })
      .execute()
    expect(await h.api.recover()).toBe(1)
    expect(await jobOf(answerId)).toMatchObject({ keyOwner: 'server', attempts: 0 })
    await h.deps.reconciler.runOnce() // 404 first
    expect(await h.deps.reconciler.runOnce()).toBe(1)
    const row = await messageRow(h.db, answerId)
    expect(row).toMatchObject({ status: 'error', errorCode: 'interrupted', costSource: 'provider' })
    expect(row.cost).toBeCloseTo(answer.usage?.cost ?? -1, 12)
    // Counted once in the day's aggregate, as an answer.
    const summary = await u.caller.usage.summary({ groupBy: 'model' })
    expect(summary.rows.find((r) => r.key === 'fake/lorem')).toMatchObject({ answers: 2 })
  })

  it('is null when nothing was generated (an error before the stream)', async () => {
    const { caller } = await h.user()
    const { answer } = await sendAndFinish(caller, {
      content: 'x',
      model: 'fake/error:status=400',
    })
    expect(answer).toMatchObject({ status: 'error', usage: null })
    expect((await caller.usage.summary()).rows).toEqual([])
  })

  it('usage.summary refuses a range that ends before it starts, or is too long', async () => {
    const { caller } = await h.user()
    await expect(
      caller.usage.summary({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/from/) as string,
    })
    await expect(
      caller.usage.summary({ from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await expect(caller.usage.summary({ from: 'yesterday' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    })
  })
})
