import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openTestChat } from './helpers/chat'
import { startTestServer, type TestServer } from './helpers/server'
import { flat, waitFor } from './helpers/wait'

let server: TestServer
let dir: string
const cleanups: Array<() => Promise<void> | void> = []

beforeAll(async () => {
  server = await startTestServer()
  dir = await mkdtemp(join(tmpdir(), 't3chat-cli-transfer-'))
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})
afterAll(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

/** The chat with one answered message in a new conversation. */
async function chatWithConversation() {
  const chat = openTestChat(server, cleanups, { model: 'fake/echo' })
  await chat.newConversation()
  await chat.type('/share')
  await chat.until((f) => f.includes('Nothing to share yet: send a message first.'))
  await chat.type('a question worth sharing')
  await chat.until(() => chat.controller.store.get().lastAnswer !== null)
  const conversation = await waitFor(() => chat.controller.store.get().conversation)
  await server.client.conversation.update.mutate({ id: conversation.id, title: 'Shared one' })
  return { chat, conversation }
}

describe('/share and /export in the chat (real client and server)', () => {
  it('/share prints a working link; /share list shows it; /share revoke stops it', async () => {
    const { chat, conversation } = await chatWithConversation()
    await chat.type('/share')
    await chat.until((f) => f.includes('messages shared'))
    const token = new RegExp(`${server.url}/s/([\\w-]+)`).exec(flat(chat.frame()))?.[1]
    expect(token).toBeDefined()
    const shared = await server.client.share.get.query({ token: token ?? '' })
    expect(shared.title).toBe('Shared one')
    expect(shared.messages.map((m) => m.role)).toEqual(['user', 'assistant'])

    await chat.type('/share list')
    await chat.until((f) => f.includes('Share links of this conversation:'))
    expect(chat.frame()).toMatch(/2 messages .* live/)

    await chat.type('/share revoke')
    await chat.until((f) => f.includes('Revoked the link: it no longer works.'))
    const { items } = await server.client.share.list.query({ conversationId: conversation.id })
    expect(items).toHaveLength(1)
    expect(items[0]?.revokedAt).not.toBeNull()
    await expect(server.client.share.get.query({ token: token ?? '' })).rejects.toThrow()
    await chat.type('/share revoke')
    await chat.until((f) => f.includes('This conversation has no live share link.'))
  })

  it('/export md|json FILE writes what conversation.export gives; an unnamed existing file is kept', async () => {
    const { chat, conversation } = await chatWithConversation()
    const md = join(dir, 'talk.md')
    await chat.type(`/export md ${md}`)
    await chat.until((f) => flat(f).includes(`Exported “Shared one” to ${md}`))
    const markdown = await server.client.conversation.export.query({
      id: conversation.id,
      format: 'markdown',
    })
    expect(await readFile(md, 'utf8')).toBe(markdown.content)

    const json = join(dir, 'talk.json')
    await chat.type(`/export ${json}`)
    await chat.until((f) => flat(f).includes(`to ${json}`))
    const exported = JSON.parse(await readFile(json, 'utf8')) as { format: string; messages: [] }
    expect(exported.format).toBe('t3chat')
    expect(exported.messages).toHaveLength(2)

    // Without a name, the server's file name in the current directory; never over a file.
    const name = (
      await server.client.conversation.export.query({ id: conversation.id, format: 'json' })
    ).filename
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      await writeFile(join(dir, name), 'mine')
      await chat.type('/export json')
      await chat.until((f) => f.includes('exists already'))
      expect(await readFile(join(dir, name), 'utf8')).toBe('mine')
    } finally {
      process.chdir(cwd)
    }
  })
})
