import { Box, render, Text, useInput } from 'ink'
import type { Command } from '../args'
import { ChatController } from '../chat/controller'
import { resolveRole } from '../config/roles'
import { KEYLESS_NOTICE, openSession, type Session } from '../connect/session'
import type { CliEnv } from '../config/env'
import { CliError, explainError } from '../errors'
import { ChatApp } from '../ui/app'
import { Spinner } from '../ui/live-answer'

const CLEAR_SCREEN = '\u001b[2J\u001b[3J\u001b[H'

function Starting({ text, onCancel }: { text: string; onCancel: () => void }) {
  useInput((input, key) => {
    if ((key.ctrl && (input === 'c' || input === 'd')) || key.escape) onCancel()
  })
  return (
    <Box>
      <Text dimColor>
        <Spinner /> {text}
      </Text>
    </Box>
  )
}

/**
 * `t3chat` (interactive): connects (starting a local server if needed) while showing a
 * spinner, then runs the chat until the user quits. Returns the exit code.
 */
export async function interactive(
  command: Extract<Command, { name: 'chat' }>,
  env: CliEnv,
): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new CliError(
      'The interactive chat needs a terminal',
      'For scripts and pipes use `t3chat ask "…"`.',
      2,
    )
  }
  // A role that does not exist stops here, before anything starts.
  const role = resolveRole(env, command.role)
  let cancelled = false
  const instance = render(<Starting text="Connecting…" onCancel={() => (cancelled = true)} />, {
    exitOnCtrlC: false,
    patchConsole: true,
  })
  let session: Session
  try {
    session = await openSession(env, command.global, {
      onProgress: (text) =>
        instance.rerender(<Starting text={text} onCancel={() => (cancelled = true)} />),
    })
  } catch (error) {
    // The spinner goes, so the error is the last thing on the screen.
    instance.clear()
    instance.unmount()
    throw error
  }
  if (cancelled) {
    instance.unmount()
    await session.close()
    return 130
  }

  const controller = new ChatController({
    session,
    model: command.model ?? role?.model ?? env.model ?? null,
    conversation: command.conversation ?? (command.continueLast ? '1' : null),
    roles: env.roles,
    // Printing another conversation starts from a clean screen (no history of the last one).
    beforeReprint: () => process.stdout.write(CLEAR_SCREEN),
  })
  instance.rerender(
    <ChatApp
      controller={controller}
      defaultModel={session.defaultModel}
      answersOff={session.notice === KEYLESS_NOTICE}
      notice={session.notice}
    />,
  )
  void controller.start().then(async () => {
    if (command.role !== undefined) await controller.run({ name: 'role', role: command.role })
  })
  // Closed terminal or `kill`: leave like /quit, so an embedded server shuts down cleanly.
  const quit = () => controller.quit()
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, quit)
  try {
    await instance.waitUntilExit()
  } catch (error) {
    process.stderr.write(`t3chat: ${explainError(error).message}\n`)
  } finally {
    for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.off(signal, quit)
    controller.dispose()
    await session.close()
  }
  return controller.store.get().fatal === null ? 0 : 1
}
