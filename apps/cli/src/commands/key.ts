import type { Command } from '../args'
import { ask, readStdin } from '../auth/prompt'
import { openSession } from '../connect/session'
import type { CliEnv } from '../config/env'

/**
 * `t3chat key set` / `t3chat key remove`: your own OpenRouter key on the server. `set` reads
 * the key without echoing it (or from piped stdin); the server checks it once and keeps it
 * encrypted, and only its last 4 characters ever come back.
 */
export async function key(
  command: Extract<Command, { name: 'key' }>,
  env: CliEnv,
): Promise<number> {
  let value: string | null = null
  if (command.action === 'set') {
    value = process.stdin.isTTY
      ? await ask('OpenRouter API key (not shown): ', { hidden: true })
      : (await readStdin()).trim()
    if (value === null || value === '') {
      process.stderr.write('No key given; nothing changed.\n')
      return 1
    }
  }
  const session = await openSession(env, command.global)
  try {
    const user = await session.client.user.setProviderKey.mutate({ key: value })
    process.stdout.write(
      user.providerKey === null
        ? 'Your key is removed: answers use the server’s key (and its budget) again.\n'
        : `Your key …${user.providerKey.last4} is set: your answers and titles now run on it, outside the server’s budget.\n`,
    )
    return 0
  } finally {
    await session.close()
  }
}
