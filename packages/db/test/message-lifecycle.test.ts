import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  checkpointAnswer,
  finishAnswer,
  findConversation,
  interruptLiveAnswers,
  liveAnswerOwners,
  startEdit,
  startRegeneration,
  startTurn,
  type TurnStart,
} from '../src/index'
import { createTestDb, truncateAll, type TestDb } from '../src/testing'
import { databaseUrl, seedUser } from './helpers'

let testDb: TestDb
beforeAll(async () => {
  testDb = await createTestDb({ databaseUrl })
})
afterAll(() => testDb.destroy())
beforeEach(() => truncateAll(testDb.db))

function turn(userId: string, fields: Partial<TurnStart> = {}): TurnStart {
  return {
    userId,
    conversationId: null,
    userMessageId: randomUUID(),
    assistantMessageId: randomUUID(),
    clientMessageId: randomUUID(),
    content: 'q',
    model: null,
    defaultModel: 'm/a',
    preview: 'q',
    historyLimit: 10,
    owner: 'instance-a',
    ...fields,
  }
}

const end = {
  errorCode: null,
  errorMessage: null,
  promptTokens: 12,
  completionTokens: 3,
  cost: 0.00015,
}

async function started(userId: string, fields: Partial<TurnStart> = {}) {
  const t = turn(userId, fields)
  const outcome = await startTurn(testDb.db, t)
  if (outcome.outcome !== 'started') throw new Error(`turn did not start: ${outcome.outcome}`)
  return { t, conversation: outcome.conversation }
}

describe('a turn in the database', () => {
  it('starts, checkpoints, and finishes once: a final state is never overwritten', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const { t, conversation } = await started(user.id)
    expect(conversation).toMatchObject({ activeMessageId: t.assistantMessageId, lastSeq: 2 })

    await checkpointAnswer(db, { id: t.assistantMessageId, content: 'Hel' })
    const key = { id: t.assistantMessageId, conversationId: conversation.id }
    const done = await finishAnswer(db, { ...key, content: 'Hello', status: 'completed', ...end })
    expect(done).toMatchObject({
      outcome: 'finished',
      message: { content: 'Hello', status: 'completed', promptTokens: 12, cost: 0.00015 },
    })
    // Late writers (a checkpoint, a stop, the reaper) find the final state and keep it.
    await checkpointAnswer(db, { id: t.assistantMessageId, content: 'Hel' })
    const late = await finishAnswer(db, { ...key, content: 'Hel', status: 'cancelled', ...end })
    expect(late).toMatchObject({
      outcome: 'already_final',
      message: { content: 'Hello', status: 'completed' },
    })
    expect(await findConversation(db, { userId: user.id, id: conversation.id })).toMatchObject({
      activeMessageId: null,
    })
    expect(
      await finishAnswer(db, { ...key, id: randomUUID(), content: '', status: 'error', ...end }),
    ).toEqual({ outcome: 'not_found' })
  })

  it('tells a retry, a busy conversation and a missing one apart', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const { t, conversation } = await started(user.id)
    // The same client id again: the first turn, to replay.
    const retry = await startTurn(db, { ...turn(user.id), clientMessageId: t.clientMessageId })
    expect(retry).toMatchObject({
      outcome: 'duplicate',
      field: 'clientMessageId',
      turn: {
        conversation: { id: conversation.id },
        userMessage: { id: t.userMessageId },
        assistant: { id: t.assistantMessageId },
      },
    })
    const next = turn(user.id, { conversationId: conversation.id })
    expect(await startTurn(db, next)).toEqual({
      outcome: 'busy',
      activeMessageId: t.assistantMessageId,
    })
    const taken = turn(user.id, { assistantMessageId: t.assistantMessageId })
    expect(await startTurn(db, taken)).toEqual({
      outcome: 'duplicate',
      field: 'assistantMessageId',
      turn: null,
    })
    expect(await startTurn(db, turn(user.id, { conversationId: randomUUID() }))).toEqual({
      outcome: 'not_found',
    })
    const regeneration = {
      userId: user.id,
      conversationId: conversation.id,
      assistantMessageId: randomUUID(),
      clientMessageId: randomUUID(),
      messageId: null,
      model: null,
      previewLength: 160,
      owner: 'instance-a',
    }
    expect(await startRegeneration(db, regeneration)).toEqual({
      outcome: 'busy',
      activeMessageId: t.assistantMessageId,
    })
  })

  it('interruptLiveAnswers with owners ends only the answers of those instances', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const a = await started(user.id, { owner: 'instance-a' })
    const b = await started(user.id, { owner: 'instance-b' })
    expect((await liveAnswerOwners(db)).sort()).toEqual(['instance-a', 'instance-b'])
    const failed = await interruptLiveAnswers(db, {
      errorCode: 'interrupted',
      errorMessage: 'gone',
      owners: ['instance-a', null],
    })
    expect(failed.map((m) => [m.id, m.userId])).toEqual([[a.t.assistantMessageId, user.id]])
    expect(await liveAnswerOwners(db)).toEqual(['instance-b'])
    const conversation = await findConversation(db, { userId: user.id, id: b.conversation.id })
    expect(conversation?.activeMessageId).toBe(b.t.assistantMessageId)
  })

  it('a regeneration and an edit record the instance that owns their answer', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const { t, conversation } = await started(user.id)
    const key = { id: t.assistantMessageId, conversationId: conversation.id }
    await finishAnswer(db, { ...key, content: 'a', status: 'completed', ...end })
    const again = await startRegeneration(db, {
      userId: user.id,
      conversationId: conversation.id,
      assistantMessageId: randomUUID(),
      clientMessageId: randomUUID(),
      messageId: null,
      model: null,
      previewLength: 160,
      owner: 'instance-b',
    })
    if (again.outcome !== 'started') throw new Error(`regeneration: ${again.outcome}`)
    expect(await liveAnswerOwners(db)).toEqual(['instance-b'])
    await finishAnswer(db, {
      id: again.assistant.id,
      conversationId: conversation.id,
      content: 'b',
      status: 'completed',
      ...end,
    })
    const edited = await startEdit(db, {
      userId: user.id,
      messageId: t.userMessageId,
      userMessageId: randomUUID(),
      assistantMessageId: randomUUID(),
      clientMessageId: randomUUID(),
      content: 'q2',
      model: null,
      previewLength: 160,
      owner: 'instance-c',
    })
    if (edited.outcome !== 'started') throw new Error(`edit: ${edited.outcome}`)
    expect(await liveAnswerOwners(db)).toEqual(['instance-c'])
    const failed = await interruptLiveAnswers(db, {
      errorCode: 'interrupted',
      errorMessage: 'gone',
      owners: ['instance-c'],
    })
    expect(failed.map((m) => m.id)).toEqual([edited.assistant.id])
  })

  it('interruptLiveAnswers ends live answers as errors, keeps their text and frees the conversation', async () => {
    const { db } = testDb
    const user = await seedUser(db)
    const { t, conversation } = await started(user.id)
    await checkpointAnswer(db, { id: t.assistantMessageId, content: 'partial' })

    const failed = await interruptLiveAnswers(db, {
      errorCode: 'interrupted',
      errorMessage: 'The server stopped mid-answer.',
    })
    expect(failed.map((m) => [m.id, m.status, m.errorCode, m.content])).toEqual([
      [t.assistantMessageId, 'error', 'interrupted', 'partial'],
    ])
    expect(failed[0]?.completedAt).toBeInstanceOf(Date)
    expect(await findConversation(db, { userId: user.id, id: conversation.id })).toMatchObject({
      activeMessageId: null,
    })
    expect(await interruptLiveAnswers(db, { errorCode: 'interrupted', errorMessage: 'x' })).toEqual(
      [],
    )
  })
})
