import { CliError } from '../errors'
import type { CliEnv } from './env'
import { configPath, type Role } from './file'

/** The role named on the command line (or by `/role`); undefined when none is named. */
export function resolveRole(env: CliEnv, name: string | undefined): Role | undefined {
  if (name === undefined) return undefined
  const role = env.roles[name]
  if (role !== undefined) return role
  const known = Object.keys(env.roles)
  throw new CliError(
    `Unknown role "${name}"`,
    known.length > 0
      ? `Roles in ${configPath(env.configDir)}: ${known.join(', ')}`
      : `Define it in ${configPath(env.configDir)}: {"roles": {"${name}": {"system": "…"}}}`,
    2,
  )
}
