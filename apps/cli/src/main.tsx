import { readFileSync } from 'node:fs'
import { parseCommandLine, UsageError } from './args'
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
    // Each command loads only what it needs: the terminal UI (Ink) alone takes a while to load.
    switch (command.name) {
      case 'chat':
        return await (await import('./commands/interactive')).interactive(command, env)
      case 'ask':
        return await (await import('./commands/ask')).ask(command, env)
      case 'list':
        return await (await import('./commands/list')).list(command, env)
      case 'models':
        return await (await import('./commands/models')).models(command, env)
      case 'show':
        return await (await import('./commands/show')).show(command, env)
      case 'search':
        return await (await import('./commands/search')).search(command, env)
      case 'login':
        return await (await import('./commands/login')).login(command, env)
      case 'logout':
        return await (await import('./commands/login')).logout(env)
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
