import { render } from 'ink-testing-library'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ChatController } from '../src/chat/controller'
import { clientSession } from '../src/connect/session'
import { ChatApp } from '../src/ui/app'
import { startProxy, type CuttableProxy } from './helpers/proxy'
import { runCli } from './helpers/run-cli'
import { startTestServer, type TestServer } from './helpers/server'
import { squash, waitFor } from './helpers/wait'

let server: TestServer
let proxy: CuttableProxy
const cleanups: Array<() => Promise<void> | void> = []

beforeAll(async () => {
  server = await startTestServer()
  proxy = await startProxy(server.port)
})
afterEach(async () => {
  proxy.allow()
  for (const cleanup of cleanups.splice(0)) await cleanup()
})
afterAll(async () => {
  await proxy.close()
  await server.close()
})

/** The chat UI talking to the server through the cuttable proxy. */
async function chatThroughProxy(transport: 'sse' | 'ws') {
  const session = clientSession({ url: proxy.url, getToken: () => server.token, transport })
  const controller = new ChatController({ session, conversation: null })
  const ui = render(<ChatApp controller={controller} defaultModel={null} />)
  cleanups.push(async () => {
    ui.unmount()
    controller.dispose()
    await session.close()
  })
  void controller.start()
  const screen = await waitFor(() => {
    const s = controller.store.get().screen
    return s === 'connecting' ? null : s
  })
  if (screen === 'list') ui.stdin.write('n')
  await waitFor(() => controller.store.get().screen === 'chat')
  // Every connection state the live answer went through.
  const connections = new Set<string>()
  cleanups.push(
    controller.store.subscribe(() => {
      const live = controller.store.get().live
      if (live) connections.add(live.connection)
    }),
  )
  return { controller, ui, frame: () => ui.lastFrame() ?? '', connections }
}

/** The text of one answer as the transcript printed it (every printed piece, in order). */
function printedAnswer(controller: ChatController, fromEntry: number): string {
  return controller.store
    .get()
    .entries.slice(fromEntry)
    .map((entry) => (entry.kind === 'answer' ? entry.markdown : ''))
    .join('')
}

async function lastAnswer() {
  const { items } = await server.client.conversation.list.query({ limit: 1 })
  const messages = await server.client.message.list.query({ conversationId: items[0]?.id ?? '' })
  return messages.items.at(-1)
}

describe.each(['sse', 'ws'] as const)('the status line over %s', (transport) => {
  it('tells the real connection state: ◌ reconnecting, ✗ offline after a failed send, then ● online again by itself', async () => {
    const chat = await chatThroughProxy(transport)
    await waitFor(() => chat.frame().includes('● online'), { describe: chat.frame })
    proxy.cut(60_000)
    await waitFor(() => chat.frame().includes('◌ reconnecting'), { describe: chat.frame })
    expect(chat.frame()).not.toContain('● online')
    chat.ui.stdin.write('are you there?')
    await waitFor(() => chat.frame().includes('are you there?'))
    chat.ui.stdin.write('\r')
    await waitFor(() => chat.frame().includes('Not sent'), { describe: chat.frame })
    await waitFor(() => chat.frame().includes('✗ offline'), { describe: chat.frame })
    proxy.allow()
    await waitFor(() => chat.frame().includes('● online'), {
      timeoutMs: 20_000,
      describe: chat.frame,
    })
    // A server that stops (its feeds end cleanly) is not online either, and is found again.
    await server.stop()
    await waitFor(() => !chat.frame().includes('● online'), { describe: chat.frame })
    await server.start()
    await waitFor(() => chat.frame().includes('● online'), {
      timeoutMs: 20_000,
      describe: chat.frame,
    })
  })
})

describe.each(['sse', 'ws'] as const)('resume over %s', (transport) => {
  it('a network blip mid-answer: reconnects and the screen ends with exactly the stored text', async () => {
    const chat = await chatThroughProxy(transport)
    const before = chat.controller.store.get().entries.length
    chat.ui.stdin.write('/model fake/lorem:tokens=120,delay=15')
    chat.ui.stdin.write('\r')
    await waitFor(() => chat.frame().includes('Model: fake/lorem'))
    chat.ui.stdin.write('Tell me a long story')
    chat.ui.stdin.write('\r')
    await waitFor(() => (chat.controller.store.get().live?.content.length ?? 0) > 60)
    const cutsBefore = proxy.cuts
    proxy.cut(300)
    await waitFor(
      () =>
        chat.controller.store.get().live === null &&
        chat.controller.store.get().lastAnswer !== null,
      {
        timeoutMs: 20_000,
        describe: chat.frame,
      },
    )
    expect(proxy.cuts).toBeGreaterThan(cutsBefore)
    expect(chat.connections.has('reconnecting')).toBe(true)
    const stored = await lastAnswer()
    expect(stored?.status).toBe('completed')
    expect(stored?.usage?.completionTokens).toBe(120)
    // No repeated or missing text: the printed pieces add up to the stored answer exactly.
    expect(printedAnswer(chat.controller, before)).toBe(stored?.content)
    expect(squash(chat.frame())).toContain(squash(stored?.content))
  })

  it('a server restart mid-answer: reconnects and shows the stored (interrupted) text', async () => {
    const chat = await chatThroughProxy(transport)
    const before = chat.controller.store.get().entries.length
    chat.ui.stdin.write('/model fake/lorem:tokens=400,delay=15')
    chat.ui.stdin.write('\r')
    await waitFor(() => chat.frame().includes('Model: fake/lorem:tokens=400'))
    chat.ui.stdin.write('Another long one')
    chat.ui.stdin.write('\r')
    await waitFor(() => (chat.controller.store.get().live?.content.length ?? 0) > 60)
    // The client loses the server mid-answer (and misses its last events) while it restarts.
    proxy.cut(60_000)
    await server.restart()
    proxy.allow()
    await waitFor(() => chat.controller.store.get().live === null, {
      timeoutMs: 20_000,
      describe: chat.frame,
    })
    const stored = await lastAnswer()
    expect(stored?.status).toBe('error')
    expect(stored?.error?.code).toBe('interrupted')
    expect(chat.connections.has('reconnecting')).toBe(true)
    expect(printedAnswer(chat.controller, before)).toBe(stored?.content)
    expect(squash(chat.frame())).toContain(squash(stored?.content))
    expect(chat.frame()).toMatch(/server (was )?(stopped|restarted|shut)/i)
    // The chat goes on against the restarted server.
    chat.ui.stdin.write('/retry fake/echo')
    chat.ui.stdin.write('\r')
    await waitFor(() => chat.frame().includes('Another long one\n  fake/echo'), {
      describe: chat.frame,
    })
  })
})

it('t3chat ask through a network blip prints exactly the stored answer', async () => {
  const model = 'fake/lorem:tokens=150,delay=15'
  const seen = server.fake.requests.length
  const running = runCli(['ask', 'stream through a blip', '--model', model], {
    env: { T3CHAT_URL: proxy.url, T3CHAT_DATA_DIR: server.dataDir },
  })
  // Cut once the answer is well under way upstream (it takes about 2 s in all).
  const request = await waitFor(
    () => server.fake.requests.slice(seen).find((r) => r.model === model),
    { timeoutMs: 20_000 },
  )
  let upstreamDone = false
  void request.finished.then(() => (upstreamDone = true))
  await new Promise((resolve) => setTimeout(resolve, 500))
  const cutsBefore = proxy.cuts
  proxy.cut(300)
  expect(upstreamDone).toBe(false)
  expect(proxy.cuts).toBeGreaterThan(cutsBefore)
  const result = await running
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const stored = await lastAnswer()
  expect(stored?.status).toBe('completed')
  expect(result.stdout).toBe(`${stored?.content ?? ''}\n`)
})

it('/retry whose response is lost in a network blip is sent again with the same id: one new answer, no error', async () => {
  const chat = await chatThroughProxy('sse')
  chat.ui.stdin.write('Answer me once')
  chat.ui.stdin.write('\r')
  await waitFor(() => chat.controller.store.get().lastAnswer !== null, {
    timeoutMs: 20_000,
    describe: chat.frame,
  })
  const conversation = await waitFor(() => chat.controller.store.get().conversation)
  // The server regenerates, then the connection drops before the client hears back.
  const lost = proxy.loseResponseTo('chat.regenerate')
  chat.ui.stdin.write('/retry fake/echo')
  chat.ui.stdin.write('\r')
  await lost
  await waitFor(() => chat.frame().includes('↻ New answer with fake/echo · branch 2/2'), {
    describe: chat.frame,
  })
  await waitFor(() => chat.controller.store.get().live === null, { describe: chat.frame })
  const path = await server.client.message.list.query({ conversationId: conversation.id })
  const answer = path.items.at(-1)
  const siblings = await server.client.message.siblings.query({ messageId: answer?.id ?? '' })
  expect(siblings.items.map((m) => m.model)).toEqual(['fake/lorem:tokens=30,delay=10', 'fake/echo'])
  expect(chat.frame()).not.toMatch(/CONFLICT|still generating|✗/)
})
