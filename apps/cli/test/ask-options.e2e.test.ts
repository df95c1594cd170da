import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/run-cli'
import { startTestServer, type TestServer } from './helpers/server'

let server: TestServer
let env: Record<string, string>
let dir: string

beforeAll(async () => {
  server = await startTestServer()
  dir = await mkdtemp(join(tmpdir(), 't3chat-cli-ask-'))
  env = { T3CHAT_URL: server.url, T3CHAT_DATA_DIR: server.dataDir }
})
afterAll(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

async function conversationCount(): Promise<number> {
  return (await server.client.conversation.list.query({ limit: 100 })).items.length
}

async function lastMessages() {
  const { items } = await server.client.conversation.list.query({ limit: 1 })
  const id = items[0]?.id ?? ''
  return (await server.client.message.list.query({ conversationId: id })).items
}

describe('t3chat ask options', () => {
  it('sends the prompt, then the piped text, then each -f file', async () => {
    const file = join(dir, 'notes.md')
    await writeFile(file, 'file body with ``` fence\n')
    const result = await runCli(['ask', 'Summarize this:', '-m', 'fake/echo', '-f', file], {
      env,
      stdin: 'piped text\n',
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const [user] = await lastMessages()
    expect(user?.content).toBe(
      `Summarize this:\n\npiped text\n\n${file}:\n\`\`\`\`\nfile body with \`\`\` fence\n\`\`\`\``,
    )
    expect(result.stdout).toBe(`${user?.content ?? ''}\n`)
  })

  it('too much input: a one-line size error, nothing sent', async () => {
    const before = await conversationCount()
    const result = await runCli(['ask', 'Summarize this:'], { env, stdin: 'x'.repeat(100_001) })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^t3chat: The message is 100,018 characters; .*100,000/)
    expect(await conversationCount()).toBe(before)
  })

  it('a missing -f file is named, nothing sent', async () => {
    const before = await conversationCount()
    const result = await runCli(['ask', 'hi', '-f', join(dir, 'nope.txt')], { env })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('nope.txt (ENOENT)')
    expect(await conversationCount()).toBe(before)
  })

  it('-c continues the last conversation, --cid a given one', async () => {
    const first = await runCli(['ask', 'one', '-m', 'fake/echo'], { env })
    expect(first.code).toBe(0)
    const [{ id: firstId } = { id: '' }] = (
      await server.client.conversation.list.query({ limit: 1 })
    ).items
    const next = await runCli(['ask', 'two', '-c'], { env })
    expect(next.code).toBe(0)
    expect((await lastMessages()).map((m) => m.content)).toEqual(['one', 'one', 'two', 'two'])

    await runCli(['ask', 'other', '-m', 'fake/echo'], { env })
    const byId = await runCli(['ask', 'three', '--cid', firstId], { env })
    expect(byId.code).toBe(0)
    const messages = (await server.client.message.list.query({ conversationId: firstId })).items
    expect(messages.map((m) => m.content)).toEqual(['one', 'one', 'two', 'two', 'three', 'three'])

    const both = await runCli(['ask', 'x', '-c', '--cid', firstId], { env })
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/exclude each other/)
  })

  it('--no-stream prints the stored answer once; --raw keeps the markdown as stored', async () => {
    const text = '# Title\n\n**bold** and `code`'
    const once = await runCli(['ask', text, '-m', 'fake/echo', '--no-stream'], { env })
    expect(once.code).toBe(0)
    expect(once.stdout).toBe(`${text}\n`)
    const raw = await runCli(['ask', text, '-m', 'fake/echo', '--raw'], { env })
    expect(raw.stdout).toBe(`${text}\n`)
  })
})

describe('config file and roles', () => {
  async function withConfig(config: unknown): Promise<Record<string, string>> {
    const home = await mkdtemp(join(dir, 'cfg-'))
    await mkdir(join(home, 't3chat'), { recursive: true })
    await writeFile(join(home, 't3chat', 'config.json'), JSON.stringify(config))
    return { ...env, XDG_CONFIG_HOME: home }
  }

  it('ask -r NAME uses the role’s system prompt and model; the config’s model is the default', async () => {
    const cfgEnv = await withConfig({
      model: 'fake/echo',
      roles: { reviewer: { system: 'You review code.', model: 'fake/lorem:tokens=3' } },
    })
    const plain = await runCli(['ask', 'default model please'], { env: cfgEnv })
    expect(plain.code).toBe(0)
    expect(plain.stdout).toBe('default model please\n')

    const reviewed = await runCli(['ask', 'check this', '-r', 'reviewer'], { env: cfgEnv })
    expect(reviewed.code).toBe(0)
    const { items } = await server.client.conversation.list.query({ limit: 1 })
    expect(items[0]?.systemPrompt).toBe('You review code.')
    expect((await lastMessages()).at(-1)?.model).toBe('fake/lorem:tokens=3')

    const unknown = await runCli(['ask', 'x', '-r', 'poet'], { env: cfgEnv })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(
      /^t3chat: Unknown role "poet". Roles in .*config\.json: reviewer\n$/,
    )
  })

  it('an invalid config file: one line naming the file and the key, nothing sent', async () => {
    const before = await conversationCount()
    const cfgEnv = await withConfig({ transport: 'pigeon', roles: { a: { model: 'x/y' } } })
    const result = await runCli(['ask', 'hi'], { env: cfgEnv })
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/config\.json: "transport" .*; "roles\.a\.system"/)
    expect(await conversationCount()).toBe(before)
  })
})
