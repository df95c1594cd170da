import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDb, type TestDb } from '../src/testing'
import { databaseUrl, seedConversation, seedUser } from './helpers'

let testDb: TestDb
let conversationId: string

beforeAll(async () => {
  testDb = await createTestDb({ databaseUrl })
  const user = await seedUser(testDb.db)
  conversationId = (await seedConversation(testDb.db, user.id)).id
  await insertMessage({ seq: 1 })
})
afterAll(() => testDb.destroy())

// Raw SQL on purpose: these bypass the repositories, so only the database can refuse them.
function insertMessage(m: {
  conversation?: string
  seq: number
  role?: string
  status?: string
  errorCode?: string | null
  clientMessageId?: string | null
}) {
  return sql`
    insert into messages (conversation_id, seq, role, status, error_code, client_message_id)
    values (${m.conversation ?? conversationId}, ${m.seq}, ${m.role ?? 'user'},
            ${m.status ?? 'completed'}, ${m.errorCode ?? null}, ${m.clientMessageId ?? null})`.execute(
    testDb.db,
  )
}

describe('the database itself rejects', () => {
  it.each([
    ['a bad status', { seq: 10, status: 'done' }, /messages_status_check/],
    ['a bad role', { seq: 11, role: 'system' }, /messages_role_check/],
    ['a duplicate seq', { seq: 1 }, /messages_conversation_id_seq_key/],
    ['a seq of 0', { seq: 0 }, /messages_seq_check/],
    ['an orphan message', { seq: 12, conversation: randomUUID() }, /foreign key/],
    ['an error without error_code', { seq: 13, status: 'error' }, /messages_error_code_check/],
    [
      'an error_code without error status',
      { seq: 14, errorCode: 'timeout' },
      /messages_error_code_check/,
    ],
  ])('%s', async (_name, message, error) => {
    await expect(insertMessage(message)).rejects.toThrow(error)
  })

  it('a duplicate client_message_id, but not two nulls', async () => {
    const id = randomUUID()
    await insertMessage({ seq: 20, clientMessageId: id })
    await insertMessage({ seq: 21 })
    await expect(insertMessage({ seq: 22, clientMessageId: id })).rejects.toThrow(
      /client_message_id/,
    )
  })

  it('an update into a bad state', async () => {
    await expect(
      sql`update messages set status = 'error' where conversation_id = ${conversationId}`.execute(
        testDb.db,
      ),
    ).rejects.toThrow(/messages_error_code_check/)
  })

  it('accepts an error with its code (the positive case)', async () => {
    await expect(
      insertMessage({ seq: 30, status: 'error', errorCode: 'timeout' }),
    ).resolves.toBeDefined()
  })

  it('a conversation of a user that does not exist', async () => {
    await expect(
      sql`insert into conversations (user_id, current_model) values (${randomUUID()}, 'm')`.execute(
        testDb.db,
      ),
    ).rejects.toThrow(/foreign key/)
  })
})
