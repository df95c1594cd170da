import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importExportFile, type ImportProgress } from '@t3chat/client'
import { chatGptConversation } from '@t3chat/client/testing'
import { startTestServer, type TestServer } from './support/test-server'

// A ChatGPT export file through the client's streaming helper and the real server, one call
// per conversation; then export and re-import over the wire.

let ts: TestServer
beforeAll(async () => {
  ts = await startTestServer()
})
afterAll(async () => {
  await ts.close()
})

describe('import and export over the wire', () => {
  it('importExportFile: every conversation, duplicates and refusals counted, progress to the end', async () => {
    const client = ts.client('sse', await ts.token())
    const good = Array.from({ length: 30 }, (_, i) => chatGptConversation(i, { turns: 2 }))
    const broken = { ...chatGptConversation(99, { turns: 1 }), mapping: { x: { parent: 'gone' } } }
    const path = join(ts.dataDir, 'conversations.json')
    await writeFile(path, JSON.stringify([...good, broken, good[0]], null, 1))

    const progress: ImportProgress[] = []
    const summary = await importExportFile(client, path, {
      format: 'chatgpt',
      concurrency: 3,
      onProgress: (p) => progress.push(p),
    })
    expect(summary).toMatchObject({
      done: 32,
      imported: 30,
      duplicates: 1,
      failed: 1,
      // 2 turns = 4 messages, plus a regenerated answer in every fifth conversation.
      messages: 30 * 4 + 6,
      skipped: 30,
    })
    expect(summary.failures).toStrictEqual([
      { index: 30, title: 'Conversation 99', reason: expect.stringContaining('mapping.x.parent') },
    ])
    expect(progress.map((p) => p.done)).toStrictEqual(Array.from({ length: 32 }, (_, i) => i + 1))
    expect(summary.bytesRead).toBe(summary.totalBytes)
    const { items } = await client.conversation.list.query({ limit: 100 })
    expect(items).toHaveLength(30)
  })

  it('export json → import t3chat gives a copy; markdown is the readable path', async () => {
    const client = ts.client('ws', await ts.token())
    const imported = await client.conversation.import.mutate({
      format: 'chatgpt',
      data: chatGptConversation(5, { turns: 2 }),
    })
    const json = await client.conversation.export.query({
      id: imported.conversation.id,
      format: 'json',
    })
    const copy = await client.conversation.import.mutate({
      format: 't3chat',
      data: JSON.parse(json.content) as unknown,
    })
    expect(copy).toMatchObject({ messageCount: 5, skipped: 0, duplicate: false })
    const md = await client.conversation.export.query({
      id: copy.conversation.id,
      format: 'markdown',
    })
    expect(md.filename).toBe('conversation-5.md')
    expect(md.content.match(/^## /gm)).toHaveLength(4)
  })
})
