import type { Command } from '../args'
import type { CliEnv } from '../config/env'

/**
 * Runs a parsed subcommand, loading only its own code. A new subcommand is its options in
 * `args.ts`, its help in `help.ts`, and one case here.
 */
export async function runCommand(
  command: Exclude<Command, { name: 'help' | 'version' }>,
  env: CliEnv,
): Promise<number> {
  switch (command.name) {
    case 'chat':
      return (await import('./interactive')).interactive(command, env)
    case 'ask':
      return (await import('./ask')).ask(command, env)
    case 'list':
      return (await import('./list')).list(command, env)
    case 'models':
      return (await import('./models')).models(command, env)
    case 'show':
      return (await import('./show')).show(command, env)
    case 'search':
      return (await import('./search')).search(command, env)
    case 'login':
      return (await import('./login')).login(command, env)
    case 'logout':
      return (await import('./login')).logout(env)
    case 'share':
      return (await import('./share')).share(command, env)
    case 'export':
      return (await import('./export')).exportCommand(command, env)
    case 'import':
      return (await import('./import')).importCommand(command, env)
    case 'usage':
      return (await import('./usage')).usage(command, env)
    case 'key':
      return (await import('./key')).key(command, env)
  }
}
