import { writeFile } from 'node:fs/promises'
import type { Command } from '../args'
import { resolveConversationRef } from '../chat/conversations'
import { openSession } from '../connect/session'
import type { CliEnv } from '../config/env'

/** `t3chat export`: a conversation as Markdown (active path) or t3chat JSON (every branch). */
export async function exportCommand(
  command: Extract<Command, { name: 'export' }>,
  env: CliEnv,
): Promise<number> {
  const session = await openSession(env, command.global)
  try {
    const id = await resolveConversationRef(session.client, command.ref)
    const file = await session.client.conversation.export.query({
      id,
      format: command.format === 'md' ? 'markdown' : 'json',
    })
    if (command.output === undefined) process.stdout.write(file.content)
    else {
      await writeFile(command.output, file.content)
      process.stderr.write(`Wrote ${command.output}\n`)
    }
    return 0
  } finally {
    await session.close()
  }
}
