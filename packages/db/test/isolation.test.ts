import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  deleteConversation,
  findConversation,
  findMessage,
  findMessageByClientId,
  forkPath,
  listConversations,
  listMessages,
  lockConversation,
  selectBranch,
  startEdit,
  startRegeneration,
  startTurn,
  updateConversation,
  userScopedId,
} from '../src/index'
import type { Conversation, Message, User } from '../src/index'
import { createTestDb, type TestDb } from '../src/testing'
import { appendMessages, databaseUrl, seedConversation, seedUser } from './helpers'

let testDb: TestDb
let alice: User
let bob: User
let bobsConversation: Conversation
let bobsMessages: Message[]
const clientMessageId = '6b2a9e4c-0c61-4a57-9a3e-3c4f5b0d9e21'

beforeAll(async () => {
  testDb = await createTestDb({ databaseUrl })
  const { db } = testDb
  alice = await seedUser(db, 'alice@x.test')
  bob = await seedUser(db, 'bob@x.test')
  await seedConversation(db, alice.id, { title: 'alice' })
  bobsConversation = await seedConversation(db, bob.id, { title: 'bob' })
  bobsMessages =
    (await db.transaction().execute((trx) =>
      appendMessages(trx, {
        userId: bob.id,
        conversationId: bobsConversation.id,
        messages: [
          {
            role: 'user',
            content: 'secret',
            status: 'completed',
            // Stored as startTurn stores it: in Bob's key space.
            clientMessageId: userScopedId(bob.id, clientMessageId),
          },
          { role: 'assistant', content: '', status: 'pending' },
        ],
        preview: 'secret',
      }),
    )) ?? []
})
afterAll(() => testDb.destroy())

/** Bob's rows, exactly as they are: any change by Alice's calls shows up here. */
async function bobsState() {
  const { db } = testDb
  return {
    conversation: await db
      .selectFrom('conversations')
      .selectAll()
      .where('userId', '=', bob.id)
      .execute(),
    messages: await db
      .selectFrom('messages')
      .selectAll()
      .where('conversationId', '=', bobsConversation.id)
      .orderBy('seq')
      .execute(),
  }
}

describe("user A's repository calls never reach user B's rows", () => {
  it('reads see nothing', async () => {
    const { db } = testDb
    const asAlice = { userId: alice.id, id: bobsConversation.id }
    const [bobsMessage] = bobsMessages
    if (!bobsMessage) throw new Error('seed failed')

    expect(bobsMessages).toHaveLength(2)
    expect(await findConversation(db, asAlice)).toBeUndefined()
    expect(await db.transaction().execute((trx) => lockConversation(trx, asAlice))).toBeUndefined()
    const list = await listConversations(db, { userId: alice.id, limit: 100, cursor: null })
    expect(list.items.map((c) => c.title)).toEqual(['alice'])
    expect(await findMessage(db, { userId: alice.id, id: bobsMessage.id })).toBeUndefined()
    expect(await findMessageByClientId(db, { userId: alice.id, clientMessageId })).toBeUndefined()
    expect(
      await listMessages(db, {
        userId: alice.id,
        conversationId: bobsConversation.id,
        limit: 10,
        before: null,
      }),
    ).toBeUndefined()

    // The same calls as Bob do find them, so the misses above are about ownership.
    expect(await findConversation(db, { userId: bob.id, id: bobsConversation.id })).toBeDefined()
    expect(await findMessage(db, { userId: bob.id, id: bobsMessage.id })).toBeDefined()
    expect(await findMessageByClientId(db, { userId: bob.id, clientMessageId })).toBeDefined()
  })

  it('writes change nothing', async () => {
    const { db } = testDb
    const before = await bobsState()
    const asAlice = { userId: alice.id, id: bobsConversation.id }

    expect(await updateConversation(db, asAlice, { title: 'pwned', pinned: true })).toBeUndefined()
    expect(await updateConversation(db, asAlice, {})).toBeUndefined()
    expect(await deleteConversation(db, asAlice)).toBe(false)
    expect(
      await startTurn(db, {
        userId: alice.id,
        conversationId: bobsConversation.id,
        userMessageId: randomUUID(),
        assistantMessageId: randomUUID(),
        clientMessageId: randomUUID(),
        content: 'injected',
        model: null,
        defaultModel: 'm/a',
        preview: 'injected',
        historyLimit: 10,
        owner: 'instance-a',
      }),
    ).toEqual({ outcome: 'not_found' })
    expect(
      await startRegeneration(db, {
        userId: alice.id,
        conversationId: bobsConversation.id,
        assistantMessageId: randomUUID(),
        clientMessageId: randomUUID(),
        messageId: null,
        model: null,
        previewLength: 160,
        owner: 'instance-a',
      }),
    ).toEqual({ outcome: 'not_found' })
    const bobsAnswer = bobsMessages[1]
    if (!bobsAnswer) throw new Error('seed failed')
    expect(
      await startEdit(db, {
        userId: alice.id,
        messageId: bobsMessages[0]?.id ?? '',
        userMessageId: randomUUID(),
        assistantMessageId: randomUUID(),
        clientMessageId: randomUUID(),
        content: 'injected',
        model: null,
        previewLength: 160,
        owner: 'instance-a',
      }),
    ).toEqual({ outcome: 'message_not_found' })
    expect(
      await db.transaction().execute((trx) =>
        selectBranch(trx, {
          userId: alice.id,
          conversationId: bobsConversation.id,
          messageId: bobsAnswer.id,
          previewLength: 160,
        }),
      ),
    ).toBeUndefined()
    expect(
      await forkPath(db, { userId: alice.id, messageId: bobsAnswer.id, previewLength: 160 }),
    ).toBeUndefined()

    expect(await bobsState()).toEqual(before)
  })
})
