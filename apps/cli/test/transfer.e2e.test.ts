import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChatClient } from '@t3chat/client'
import { writeChatGptExport } from '@t3chat/client/testing'
import { runCli } from './helpers/run-cli'
import { startTestServer, type TestServer } from './helpers/server'

let server: TestServer
let env: Record<string, string>

beforeAll(async () => {
  server = await startTestServer()
  env = { T3CHAT_URL: server.url, T3CHAT_DATA_DIR: server.dataDir }
})
afterAll(() => server.close())

describe('t3chat import, export and share (the built CLI, against a real server)', () => {
  it('import a ChatGPT file, then again (all duplicates); a summary each time', async () => {
    const file = join(server.dataDir, 'conversations.json')
    await writeChatGptExport(file, { conversations: 12, turns: 2 })
    const first = await runCli(['import', file], { env })
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^Imported 12 conversations \(51 messages\) in [\d.]+ s/)
    expect(first.stdout).toContain(
      'Duplicates (imported before): 0. Skipped nodes and parts: 12. Failed: 0.',
    )
    const again = await runCli(['import', file, '--json'], { env })
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, duplicates: 12, failed: 0 })
    const { items } = await server.client.conversation.list.query({ limit: 100 })
    expect(items.filter((c) => c.title?.startsWith('Conversation '))).toHaveLength(12)
  })

  it('a file with a bad conversation: exit 1 and the reason in the summary', async () => {
    const file = join(server.dataDir, 'bad.json')
    await writeFile(
      file,
      JSON.stringify([
        { title: 'Broken', conversation_id: 'b1', mapping: { a: { parent: 'zz' } } },
      ]),
    )
    const result = await runCli(['import', file], { env })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('#1 "Broken": mapping.a.parent: no node "zz" in mapping')
  })

  it('export md to stdout and json to a file; the json imports back as a copy', async () => {
    const md = await runCli(['export', '1'], { env })
    expect(md.code).toBe(0)
    expect(md.stdout).toMatch(/^# Conversation \d+\n/)
    expect(md.stdout).toContain('## You\n')

    const out = join(server.dataDir, 'one.t3chat.json')
    const json = await runCli(['export', '1', '--format', 'json', '-o', out], { env })
    expect(json.code).toBe(0)
    const doc = JSON.parse(await readFile(out, 'utf8')) as { format: string; messages: unknown[] }
    expect(doc.format).toBe('t3chat')
    const back = await runCli(['import', out, '--json'], { env })
    expect(JSON.parse(back.stdout)).toMatchObject({ imported: 1, messages: doc.messages.length })
  })

  it('share prints a link whose token opens the snapshot without a login; --list; --revoke', async () => {
    const created = await runCli(['share', '2'], { env })
    expect(created.code).toBe(0)
    const link = created.stdout.trim()
    expect(link).toMatch(new RegExp(`^${server.url}/s/[A-Za-z0-9_-]{32}$`))
    const token = link.split('/s/')[1] ?? ''
    const anonymous = createChatClient({ url: server.url, getToken: () => null })
    const view = await anonymous.share.get.query({ token })
    expect(view.messages.length).toBeGreaterThan(0)

    const listed = await runCli(['share', '--list', '--json'], { env })
    const { items } = JSON.parse(listed.stdout) as { items: Array<{ id: string; token: null }> }
    expect(items).toHaveLength(1)
    expect(items[0]?.token).toBeNull()
    const revoked = await runCli(['share', '--revoke', (items[0]?.id ?? '').slice(0, 8)], { env })
    expect(revoked.code).toBe(0)
    await expect(anonymous.share.get.query({ token })).rejects.toThrow()
  })
})
