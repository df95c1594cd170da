import { randomUUID } from 'node:crypto'
import type { Message } from '@t3chat/client'
import type { StreamConnection } from '../answer/follow-answer'
import type { Command } from '../args'
import { readStdin } from '../auth/prompt'
import { followAnswer } from '../answer/follow-answer'
import { resolveConversationRef } from '../chat/conversations'
import { openSession, type Session } from '../connect/session'
import type { CliEnv } from '../env'
import { CliError, explainAnswerError } from '../errors'

type AskCommand = Extract<Command, { name: 'ask' }>

/**
 * `t3chat ask`: sends one message and streams the answer to stdout. On a terminal it is
 * rendered as markdown; piped, it is the plain text exactly as stored. Exit code 1 when the
 * answer ends in `error`, 130 when interrupted (the partial answer is kept as `cancelled`).
 */
export async function ask(command: AskCommand, env: CliEnv): Promise<number> {
  const prompt = command.prompt ?? (process.stdin.isTTY ? null : (await readStdin()).trim())
  if (prompt === null || prompt === '') {
    throw new CliError(
      'No prompt',
      'Give one as an argument (t3chat ask "…") or pipe it in on stdin.',
      2,
    )
  }
  const session = await openSession(env, command.global, {
    onProgress: (text) => {
      if (process.stderr.isTTY) process.stderr.write(`${text}\n`)
    },
  })
  try {
    return await askWith(session, command, prompt)
  } finally {
    await session.close()
  }
}

async function askWith(session: Session, command: AskCommand, prompt: string): Promise<number> {
  const { client } = session
  const conversationId =
    command.conversation !== undefined
      ? await resolveConversationRef(client, command.conversation)
      : undefined
  if (conversationId !== undefined && command.system !== undefined) {
    await client.conversation.update.mutate({ id: conversationId, systemPrompt: command.system })
  }
  // One round trip: the answer's id is chosen here, so its stream is followed while it is sent.
  const assistantMessageId = randomUUID()
  const output = await createOutput(command.json, command.model ?? null)
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
      content: prompt,
      ...(conversationId !== undefined ? { conversationId } : {}),
      ...(command.model !== undefined ? { model: command.model } : {}),
      ...(conversationId === undefined && command.system !== undefined
        ? { systemPrompt: command.system }
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

/**
 * Where the answer goes: nowhere while streaming (`--json`), raw text (stdout piped), or a
 * live markdown view (a terminal).
 */
async function createOutput(json: boolean, model: string | null): Promise<AnswerOutput> {
  const quiet = { text() {}, connection() {}, async finish() {}, async close() {} }
  if (json) return quiet

  if (!process.stdout.isTTY) {
    let written = ''
    return {
      ...quiet,
      text(text) {
        written += text
        process.stdout.write(text)
      },
      async finish(final) {
        // The stored text is the truth: finish with whatever the stream did not deliver.
        const rest = final.content.startsWith(written) ? final.content.slice(written.length) : ''
        const all = written + rest
        const end = rest + (all === '' || all.endsWith('\n') ? '' : '\n')
        await new Promise<void>((resolve) => process.stdout.write(end, () => resolve()))
      },
    }
  }

  return (await import('../ui/answer-view')).renderAnswer(model)
}
