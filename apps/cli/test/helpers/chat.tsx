import { render } from 'ink-testing-library'
import { ChatController } from '../../src/chat/controller'
import type { Role } from '../../src/config/file'
import { clientSession } from '../../src/connect/session'
import { ChatApp } from '../../src/ui/app'
import { afterEach } from 'vitest'
import { useCliServer, type TestServer } from './server'
import { flat, waitFor } from './wait'

/** Options of {@link openTestChat}. */
export interface ChatOptions {
  conversation?: string
  model?: string
  pageSize?: number
  roles?: Record<string, Role>
}

/** The real chat UI on the real client and server; returns helpers to drive and inspect it. */
export function openTestChat(
  server: TestServer,
  cleanups: Array<() => Promise<void> | void>,
  opts: ChatOptions = {},
) {
  const session = clientSession({ url: server.url, getToken: () => server.token })
  let exited = false
  const terminal: string[] = []
  const controller = new ChatController({
    session,
    model: opts.model ?? null,
    conversation: opts.conversation ?? null,
    ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
    roles: opts.roles ?? {},
    writeTerminal: (data) => terminal.push(data),
    onExit: () => (exited = true),
  })
  const ui = render(<ChatApp controller={controller} defaultModel={null} />)
  void controller.start()
  cleanups.push(async () => {
    ui.unmount()
    controller.dispose()
    await session.close()
  })
  const frame = () => ui.lastFrame() ?? ''
  return {
    controller,
    ui,
    frame,
    /** What was written to the terminal outside Ink (escape sequences such as OSC 52). */
    terminal,
    exited: () => exited,
    /** Types a line and presses Enter (as two writes, like a person). */
    async type(text: string) {
      ui.stdin.write(text)
      await waitFor(() => flat(frame()).includes(flat(text).slice(-20)), { describe: frame })
      ui.stdin.write('\r')
    },
    until: (check: (frame: string) => boolean, timeoutMs = 15_000) =>
      waitFor(() => check(frame()), { timeoutMs, describe: frame }),
    /** Waits for the first screen; from the conversation list, starts a new conversation. */
    async newConversation() {
      const screen = await waitFor(() => {
        const s = controller.store.get().screen
        return s === 'connecting' ? null : s
      })
      if (screen === 'list') ui.stdin.write('n')
      await waitFor(() => controller.store.get().screen === 'chat', { describe: frame })
    },
  }
}

/** The chat helpers of {@link openTestChat}. */
export type TestChat = ReturnType<typeof openTestChat>

/** The file's test server, and chats opened on it; each test's chats close after the test. */
export function useTestChats() {
  const cli = useCliServer()
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })
  return {
    get server(): TestServer {
      return cli.server
    },
    open: (opts: ChatOptions = {}) => openTestChat(cli.server, cleanups, opts),
  }
}
