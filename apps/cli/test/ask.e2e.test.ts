import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startCli } from './helpers/run-cli'
import { startTestServer, type TestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

let server: TestServer
let env: Record<string, string>

beforeAll(async () => {
  server = await startTestServer()
  env = { T3CHAT_URL: server.url, T3CHAT_DATA_DIR: server.dataDir }
})
afterAll(() => server.close())

/** The newest conversation's visible messages, read back with the typed client. */
async function latestMessages() {
  const { items } = await server.client.conversation.list.query({ limit: 1 })
  const conversation = items[0]
  if (!conversation) throw new Error('no conversation')
  return (await server.client.message.list.query({ conversationId: conversation.id })).items
}

describe('t3chat ask (the built CLI, against a real server)', () => {
  it('streams the answer to stdout exactly as the database stores it', async () => {
    const result = await runCli(
      ['ask', 'Tell me something', '--model', 'fake/lorem:tokens=60,delay=2'],
      { env },
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const [user, answer] = await latestMessages()
    expect(user?.content).toBe('Tell me something')
    expect(answer?.status).toBe('completed')
    expect(answer?.content.length).toBeGreaterThan(100)
    expect(result.stdout).toBe(`${answer?.content ?? ''}\n`)
  })

  it('--json prints the final message as parseable JSON', async () => {
    const result = await runCli(['ask', 'json please', '--model', 'fake/echo', '--json'], { env })
    expect(result.code).toBe(0)
    const parsed = JSON.parse(result.stdout) as {
      conversation: { id: string }
      assistantMessage: { id: string; status: string; content: string; usage: unknown }
    }
    expect(parsed.assistantMessage.status).toBe('completed')
    expect(parsed.assistantMessage.content).toBe('json please')
    const stored = await latestMessages()
    expect(stored.at(-1)?.id).toBe(parsed.assistantMessage.id)
    expect(stored[0]?.conversationId).toBe(parsed.conversation.id)
  })

  it('reads the prompt from stdin when none is given, and continues a conversation over WS', async () => {
    const first = await runCli(['ask', '--model', 'fake/echo'], {
      env,
      stdin: 'a prompt from stdin\n',
    })
    expect(first.code).toBe(0)
    expect(first.stdout).toBe('a prompt from stdin\n')
    const [user] = await latestMessages()
    const conversationId = user?.conversationId ?? ''
    // Continuing by short id, over WebSocket this time.
    const second = await runCli(
      ['ask', 'and a follow-up', '--cid', conversationId.slice(0, 8), '--transport', 'ws'],
      { env },
    )
    expect(second.code).toBe(0)
    expect(second.stdout).toBe('and a follow-up\n')
    const messages = await latestMessages()
    expect(messages.map((m) => m.content)).toEqual([
      'a prompt from stdin',
      'a prompt from stdin',
      'and a follow-up',
      'and a follow-up',
    ])
  })

  it('an unknown model exits non-zero with a one-line reason', async () => {
    const result = await runCli(['ask', 'hi', '--model', 'nope/does-not-exist'], { env })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^t3chat: .*unknown model "nope\/does-not-exist"/)
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/) // no stack trace
  })

  it('an answer that ends in error exits 1 and says why in one line', async () => {
    const result = await runCli(['ask', 'hi', '--model', 'fake/error:status=402'], { env })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^t3chat: .*credits/i)
    const answer = (await latestMessages()).at(-1)
    expect(answer?.status).toBe('error')
    expect(answer?.error?.code).toBe('payment_required')
    // `show` says why it failed.
    const shown = await runCli(['show', '1'], { env })
    expect(shown.stdout).toMatch(
      /## Assistant \(fake\/error:status=402, error\)\n\n\(failed: .*credits/i,
    )
  })

  it('Ctrl-C (SIGINT) stops the answer, keeps the partial text and exits 130', async () => {
    const cli = startCli(['ask', 'go on and on', '--model', 'fake/lorem:tokens=500,delay=20'], {
      env,
    })
    await waitFor(() => cli.stdout().length > 50)
    cli.child.kill('SIGINT')
    const result = await cli.result
    expect(result.code).toBe(130)
    expect(result.stderr).toBe('t3chat: stopped; the partial answer is saved.\n')
    const answer = (await latestMessages()).at(-1)
    expect(answer?.status).toBe('cancelled')
    expect(result.stdout).toBe(`${answer?.content ?? ''}\n`)
    expect(answer?.content.trim().split(/\s+/).length ?? 500).toBeLessThan(450)
    // A stopped first answer still names the conversation, after the message.
    const { items } = await server.client.conversation.list.query({ limit: 1 })
    await waitFor(async () => {
      const conversation = await server.client.conversation.get.query({ id: items[0]?.id ?? '' })
      return conversation.title === 'go on and on'
    })
  })

  it('lists conversations, shows one, and lists models', async () => {
    const list = await runCli(['list'], { env })
    expect(list.code).toBe(0)
    const { items } = await server.client.conversation.list.query({ limit: 100 })
    expect(list.stdout.trim().split('\n')).toHaveLength(items.length)
    expect(list.stdout).toContain(items[0]?.id.slice(0, 8))

    const shown = await runCli(['show', '1'], { env })
    expect(shown.code).toBe(0)
    const messages = await latestMessages()
    for (const message of messages) expect(shown.stdout).toContain(message.content)

    const json = await runCli(['show', items[0]?.id ?? '', '--json'], { env })
    const parsed = JSON.parse(json.stdout) as { messages: Array<{ id: string }> }
    expect(parsed.messages.map((m) => m.id)).toEqual(messages.map((m) => m.id))

    const models = await runCli(['models', 'echo'], { env })
    expect(models.code).toBe(0)
    expect(models.stdout).toMatch(/^fake\/echo\s/m)
  })

  it('explains an unreachable server and a bad command line without a stack trace', async () => {
    const down = await runCli(['ask', 'hi'], { env: { ...env, T3CHAT_URL: 'http://127.0.0.1:9' } })
    expect(down.code).toBe(1)
    expect(down.stderr).toMatch(
      /^t3chat: Cannot reach a t3chat server at http:\/\/127\.0\.0\.1:9\. /,
    )
    const usage = await runCli(['ask', '--bogus'], { env })
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/^t3chat: .*--bogus.*t3chat ask --help/)
    const help = await runCli(['ask', '--help'], { env })
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: t3chat ask')
  })
})
