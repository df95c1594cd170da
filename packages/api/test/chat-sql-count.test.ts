import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogEvent } from 'kysely'
import { loremText } from '@t3chat/llm/fake'
import { startHarness } from './harness'
import { finalMessage, sendAndFinish, sleep } from './support/engine'

const TOKENS = 500
const MODEL = `fake/lorem:tokens=${TOKENS},delay=1`

const isReaperPass = (s: string) =>
  s.startsWith('select distinct "owner_instance"') ||
  // The usage reconciler's periodic look for due jobs belongs to no turn either.
  s.includes('from "usage_reconciliations"')
const isAccountRead = (s: string) =>
  /^select "provider_key_secret", "budget_day_usd", "budget_month_usd" from "users"/.test(s)

/** A harness whose every statement, while `recording`, lands in `statements`. */
async function countingHarness(checkpointIntervalMs: number) {
  const log = { recording: false, statements: [] as string[] }
  const h = await startHarness({
    config: { checkpointIntervalMs },
    onQuery(event: LogEvent) {
      // Failed statements count too: they were a round trip all the same.
      const statement = event.query.sql.replace(/\s+/g, ' ').trim()
      // With Redis, the reaper's periodic look for dead owners belongs to no turn.
      if (log.recording && !isReaperPass(statement)) log.statements.push(statement)
    },
  })
  return { h, log }
}

/**
 * Runs the SECOND turn of a conversation (the first turn's title job and the user upsert are
 * done by then) and returns the statements it ran, from `chat.send` to the saved end.
 */
async function secondTurnStatements(ctx: Awaited<ReturnType<typeof countingHarness>>) {
  const { h, log } = ctx
  const { caller } = await h.user()
  const first = await sendAndFinish(caller, { content: 'warm up', model: 'fake/echo' })
  await h.deps.runner.idle()

  log.statements.length = 0
  log.recording = true
  const started = performance.now()
  const sent = await caller.chat.send({
    clientMessageId: randomUUID(),
    conversationId: first.conversation.id,
    content: 'a long answer please',
    model: MODEL,
  })
  const answer = await finalMessage(caller, sent.assistantMessage.id)
  const elapsedMs = performance.now() - started
  await h.deps.runner.idle()
  await sleep(100) // anything late (a stray checkpoint) would land here
  log.recording = false
  expect(answer).toMatchObject({ status: 'completed', content: loremText(TOKENS) })
  return { statements: [...log.statements], elapsedMs }
}

const isCheckpoint = (s: string) => /^update "messages" set "content" = \$1, "status" = \$2/.test(s)

describe('SQL statements of one 500-token turn', () => {
  let quiet: Awaited<ReturnType<typeof countingHarness>>
  let busy: Awaited<ReturnType<typeof countingHarness>>
  beforeAll(async () => {
    ;[quiet, busy] = await Promise.all([countingHarness(60_000), countingHarness(100)])
  })
  afterAll(async () => {
    await Promise.all([quiet.h.close(), busy.h.close()])
  })

  it('is exactly 3 without a checkpoint: the user’s key and budget overrides, start (one statement that also reads the history) and finish (one statement, usage included)', async () => {
    const { statements } = await secondTurnStatements(quiet)
    expect(statements, statements.join('\n')).toHaveLength(3)
    const [account, start, finish] = statements
    expect(account).toSatisfy(isAccountRead)
    expect(start).toMatch(
      /^with conv as \(update conversations set .* insert into messages .* as history from conv$/,
    )
    expect(finish).toMatch(/^with done as \( update messages set content = \$1, status = \$2/)
  })

  it('is 3 plus one per checkpoint when checkpoints run every 100 ms (never one per token)', async () => {
    const { statements, elapsedMs } = await secondTurnStatements(busy)
    const checkpoints = statements.filter(isCheckpoint).length
    const others = statements.filter((s) => !isCheckpoint(s))
    expect(others, others.join('\n')).toHaveLength(3)
    expect(statements).toHaveLength(3 + checkpoints)
    expect(checkpoints).toBeGreaterThanOrEqual(1)
    expect(checkpoints).toBeLessThanOrEqual(Math.ceil(elapsedMs / 100) + 1)
    expect(checkpoints).toBeLessThan(TOKENS / 10)
  })
})
