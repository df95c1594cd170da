import { readFileSync } from 'node:fs'
import { parseCommandLine, UsageError } from './args'
import { ask } from './commands/ask'
import { interactive } from './commands/interactive'
import { list } from './commands/list'
import { login, logout } from './commands/login'
import { models } from './commands/models'
import { show } from './commands/show'
import { CliEnvError, parseCliEnv } from './env'
import { CliError, explainError } from './errors'

function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  return typeof pkg === 'object' &&
    pkg !== null &&
    'version' in pkg &&
    typeof pkg.version === 'string'
    ? pkg.version
    : '0.0.0'
}

/** Runs the CLI with `argv` (without node and script) and resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const command = parseCommandLine(argv)
    if (command.name === 'help') {
      process.stdout.write(`${command.text}\n`)
      return 0
    }
    if (command.name === 'version') {
      process.stdout.write(`t3chat ${version()}\n`)
      return 0
    }
    const env = parseCliEnv(process.env)
    switch (command.name) {
      case 'chat':
        return await interactive(command, env)
      case 'ask':
        return await ask(command, env)
      case 'list':
        return await list(command, env)
      case 'models':
        return await models(command, env)
      case 'show':
        return await show(command, env)
      case 'login':
        return await login(command, env)
      case 'logout':
        return await logout(env)
    }
  } catch (error) {
    return fail(error)
  }
}

function fail(error: unknown): number {
  if (error instanceof UsageError || error instanceof CliEnvError) {
    process.stderr.write(`t3chat: ${error.message}\n`)
    return 2
  }
  const explained = explainError(error)
  process.stderr.write(
    `t3chat: ${explained.message}${explained.hint ? `. ${explained.hint}` : ''}\n`,
  )
  return error instanceof CliError ? error.exitCode : 1
}

const code = await main(process.argv.slice(2))
// Open sockets (SSE, keep-alive) must not keep a finished command alive.
process.exit(code)
