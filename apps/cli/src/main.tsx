import { readFileSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { parseCommandLine, UsageError } from './args'

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
    // Everything else is loaded on demand: `--version` and `--help` load nothing more, and
    // each command only what it needs (the terminal UI and the embedded server take a while).
    const [{ loadCliConfig }, { runCommand }] = await Promise.all([
      import('./config/load'),
      import('./commands/run'),
    ])
    return await runCommand(command, await loadCliConfig(process.env))
  } catch (error) {
    return fail(error)
  }
}

async function fail(error: unknown): Promise<number> {
  if (error instanceof UsageError) {
    process.stderr.write(`t3chat: ${error.message}\n`)
    return 2
  }
  const { CliError, explainError, explainLine } = await import('./errors')
  process.stderr.write(`t3chat: ${explainLine(explainError(error))}\n`)
  return error instanceof CliError ? error.exitCode : 1
}

// V8 compiles WebAssembly twice: quickly (Liftoff), then optimised on a background thread —
// and process exit waits for that second compile (fetch's HTTP parser is WebAssembly: ~150 ms
// added to every short command). The quick code is fast enough for a client.
setFlagsFromString('--liftoff-only')

const code = await main(process.argv.slice(2))
// Open sockets (SSE, keep-alive) must not keep a finished command alive.
process.exit(code)
