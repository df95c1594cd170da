import { randomUUID } from 'node:crypto'
import type { Message } from '@t3chat/client'
import type { StreamConnection } from '../answer/follow-answer'
import type { Command } from '../args'
import { readStdin } from '../auth/prompt'
import { followAnswer } from '../answer/follow-answer'
import { composeMessage, readAttachedFiles } from '../answer/compose'
import { resolveConversationRef } from '../chat/conversations'
import { resolveRole } from '../config/roles'
import { openSession, type Session } from '../connect/session'
import type { CliEnv } from '../config/env'
import { CliError, explainAnswerError } from '../errors'

type AskCommand = Extract<Command, { name: 'ask' }>

/** What `ask` sends, after the prompt, stdin, files, role and config are combined. */
interface AskPlan {
  content: string
  model: string | undefined
  system: string | undefined
}

/**
 * `t3chat ask`: sends one message and streams the answer to stdout. On a terminal it is
 * rendered as markdown; piped (or `--raw`), it is the plain text exactly as stored. Exit code
 * 1 when the answer ends in `error`, 130 when interrupted (the partial answer is kept as
 * `cancelled`).
 */
export async function ask(command: AskCommand, env: CliEnv): Promise<number> {
  const role = resolveRole(env, command.role)
  const [stdin, files] = await Promise.all([
    process.stdin.isTTY ? null : readStdin(),
    readAttachedFiles(command.files),
  ])
  const plan: AskPlan = {
    content: composeMessage({ prompt: command.prompt, stdin, files }),
    model: command.model ?? role?.model ?? env.model,
    system: command.system ?? role?.system,
  }
  const session = await openSession(env, command.global, {
    onProgress: (text) => {
      if (process.stderr.isTTY) process.stderr.write(`${text}\n`)
    },
  })
  try {
    return await askWith(session, command, plan)
  } finally {
    await session.close()
  }
}

async function conversationOf(session: Session, command: AskCommand): Promise<string | undefined> {
  if (command.conversation !== undefined)
    return resolveConversationRef(session.client, command.conversation)
  if (!command.continueLast) return undefined
  const { items } = await session.client.conversation.list.query({ limit: 1 })
  const last = items[0]
  if (last === undefined) {
    throw new CliError('No conversation to continue (-c)', 'Start one without -c first.', 2)
  }
  return last.id
}

async function askWith(session: Session, command: AskCommand, plan: AskPlan): Promise<number> {
  const { client } = session
  const conversationId = await conversationOf(session, command)
  if (conversationId !== undefined && plan.system !== undefined) {
    await client.conversation.update.mutate({ id: conversationId, systemPrompt: plan.system })
  }
  // One round trip: the answer's id is chosen here, so its stream is followed while it is sent.
  const assistantMessageId = randomUUID()
  const output = await createOutput(command, plan.model ?? null)
  const abandon = new AbortController()
  const following = followAnswer(client, assistantMessageId, {
    signal: abandon.signal,
    onText: (text, content) => output.text(text, content),
    onConnection: (state) => output.connection(state),
  })
  following.catch(() => undefined)

  let sent
  try {
    sent = await client.chat.send.mutate({
      clientMessageId: randomUUID(),
      assistantMessageId,
      content: plan.content,
      ...(conversationId !== undefined ? { conversationId } : {}),
      ...(plan.model !== undefined ? { model: plan.model } : {}),
      ...(conversationId === undefined && plan.system !== undefined
        ? { systemPrompt: plan.system }
        : {}),
    })
  } catch (error) {
    abandon.abort()
    await output.close()
    throw error
  }

  let interrupted = false
  const onSigint = () => {
    if (interrupted) process.exit(130)
    interrupted = true
    // Stopping keeps the partial answer (`cancelled`); the stream then delivers the final state.
    void client.chat.stop.mutate({ messageId: assistantMessageId }).catch(() => process.exit(130))
  }
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigint)
  try {
    const final = await following
    await output.finish(final)
    if (command.json) {
      process.stdout.write(
        `${JSON.stringify({ conversation: sent.conversation, userMessage: sent.userMessage, assistantMessage: final })}\n`,
      )
    }
    if (final.status === 'error') {
      process.stderr.write(`t3chat: ${explainAnswerError(final.error).message}\n`)
      return 1
    }
    if (final.status === 'cancelled') {
      process.stderr.write('t3chat: stopped; the partial answer is saved.\n')
      return 130
    }
    return 0
  } finally {
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigint)
    await output.close()
  }
}

/** Where an answer is written while it streams. */
export interface AnswerOutput {
  text(text: string, content: string): void
  connection(state: StreamConnection): void
  finish(final: Message): Promise<void>
  close(): Promise<void>
}

const QUIET: AnswerOutput = {
  text() {},
  connection() {},
  async finish() {},
  async close() {},
}

function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()))
}

/** `text` ending in exactly one newline (nothing for an empty answer). */
function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`
}

/**
 * Where the answer goes: nowhere while streaming (`--json`), the whole stored text at the
 * end (`--no-stream`), raw text as it arrives (stdout piped, or `--raw`), or a live markdown
 * view (a terminal).
 */
async function createOutput(command: AskCommand, model: string | null): Promise<AnswerOutput> {
  if (command.json) return QUIET
  const plain = command.raw || !process.stdout.isTTY
  if (!command.stream) {
    return {
      ...QUIET,
      async finish(final) {
        if (plain) return writeOut(withNewline(final.content))
        const [{ renderMessage }, { loadLanguagesOf }] = await Promise.all([
          import('../ui/transcript-view'),
          import('../ui/highlight'),
        ])
        await loadLanguagesOf(final.content)
        return writeOut(`${renderMessage(final, process.stdout.columns || 80)}\n`)
      },
    }
  }
  if (plain) {
    let written = ''
    return {
      ...QUIET,
      text(text) {
        written += text
        process.stdout.write(text)
      },
      async finish(final) {
        // The stored text is the truth: finish with whatever the stream did not deliver.
        const rest = final.content.startsWith(written) ? final.content.slice(written.length) : ''
        await writeOut(withNewline(written + rest).slice(written.length))
      },
    }
  }
  return (await import('../ui/answer-view')).renderAnswer(model)
}
