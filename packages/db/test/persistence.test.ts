import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  createConversation,
  createDb,
  findConversation,
  migrateToLatest,
  upsertUser,
} from '../src/index'

describe('embedded PGlite with a data directory', () => {
  it('keeps what was written across destroy and reopen', async () => {
    const parent = await mkdtemp(join(tmpdir(), 't3chat-db-'))
    const dataDir = join(parent, 'nested', 'db') // createDb creates missing directories
    try {
      const userId = randomUUID()
      const first = await createDb({ dataDir })
      await migrateToLatest(first)
      await upsertUser(first, { id: userId, email: 'p@x.test' })
      const written = await createConversation(first, { userId, title: 'kept', currentModel: 'm' })
      await first.destroy()

      const second = await createDb({ dataDir })
      try {
        expect(await migrateToLatest(second)).toEqual([])
        expect(await findConversation(second, { userId, id: written.id })).toEqual(written)
      } finally {
        await second.destroy()
      }
    } finally {
      await rm(parent, { recursive: true, force: true })
    }
  })
})
