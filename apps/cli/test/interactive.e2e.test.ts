import { afterAll, beforeAll, expect, it } from 'vitest'
import { BIN, cliEnv } from './helpers/run-cli'
import { startTestServer, type TestServer } from './helpers/server'
import { hasTmux, openTerminal, type Terminal } from './helpers/tmux'
import { squash } from './helpers/wait'

let server: TestServer
let term: Terminal | null = null

beforeAll(async () => {
  if (!(await hasTmux())) {
    throw new Error('tmux is needed for the interactive end-to-end test: apt-get install -y tmux')
  }
  server = await startTestServer()
})
afterAll(async () => {
  await term?.close()
  await server.close()
})

async function conversationAndAnswers() {
  const { items } = await server.client.conversation.list.query({ limit: 1 })
  const conversation = items[0]
  if (!conversation) throw new Error('no conversation')
  const { items: messages } = await server.client.message.list.query({
    conversationId: conversation.id,
  })
  return { conversation, messages }
}

it('drives the real CLI in a terminal: send, stream, /model, /retry, Ctrl-C, /quit', async () => {
  term = await openTerminal({
    command: [process.execPath, BIN, '--model', 'fake/lorem:tokens=80,delay=30'],
    // CI would make Ink print only the last frame: the point here is the live terminal.
    env: {
      ...cliEnv({ T3CHAT_URL: server.url, T3CHAT_DATA_DIR: server.dataDir }),
      CI: undefined,
      TERM: 'xterm-256color',
    },
  })
  const t = term

  // Start: a fresh account lands directly in a new conversation.
  await t.until((s) => s.includes('New conversation') && s.includes('Ask anything'))

  // Send, and watch the answer stream in.
  await t.type('Hello from the terminal')
  await t.press('Enter')
  const streaming = await t.until((s) => s.includes('Ctrl-C stop') && /lorem ipsum/.test(s))
  expect(streaming).toContain('› Hello from the terminal')
  const done = await t.until((s) => s.includes('→ 80 tokens'))
  let { conversation, messages } = await conversationAndAnswers()
  expect(messages.map((m) => m.role)).toEqual(['user', 'assistant'])
  expect(messages[1]?.status).toBe('completed')
  expect(squash(done)).toContain(squash(messages[1]?.content))
  // The generated title arrives live in the status line.
  await t.until((s) => s.includes('Test Title'))

  // /model switches the conversation's model.
  await t.type('/model fake/echo')
  await t.press('Enter')
  await t.until((s) => s.includes('Model: fake/echo'))
  ;({ conversation } = await conversationAndAnswers())
  expect(conversation.currentModel).toBe('fake/echo')

  // /retry answers the last message again with it.
  await t.type('/retry')
  await t.press('Enter')
  await t.until(
    (s) => s.includes('↻ New answer') && /Hello from the terminal\s+fake\/echo ·/.test(s),
  )
  ;({ messages } = await conversationAndAnswers())
  expect(messages).toHaveLength(2)
  expect(messages[1]).toMatchObject({
    model: 'fake/echo',
    content: 'Hello from the terminal',
    status: 'completed',
  })

  // Ctrl-C while a long answer streams stops it; the partial text stays.
  await t.type('/retry fake/lorem:tokens=500,delay=25')
  await t.press('Enter')
  await t.until((s) => s.includes('Ctrl-C stop') && s.split('↻ New answer').length === 3)
  await new Promise((resolve) => setTimeout(resolve, 700))
  await t.press('C-c')
  const stopped = await t.until((s) => s.includes('■ stopped'))
  ;({ messages } = await conversationAndAnswers())
  const cancelled = messages[1]
  expect(cancelled?.status).toBe('cancelled')
  expect(cancelled?.content.length ?? 0).toBeGreaterThan(0)
  // Stopped early: far fewer words than the 500 tokens it would have streamed.
  expect(cancelled?.content.trim().split(/\s+/).length ?? 500).toBeLessThan(400)
  expect(squash(stopped)).toContain(squash(cancelled?.content))
  expect(stopped).not.toContain('[exit') // still running

  // /quit leaves cleanly.
  await t.type('/quit')
  await t.press('Enter')
  const exited = await t.until((s) => s.includes('[exit'))
  expect(exited).toContain('[exit 0]')
  expect(exited).not.toMatch(/Error:|at .*\.tsx?:\d+/)
})
