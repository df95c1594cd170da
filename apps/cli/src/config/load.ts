import { parseCliEnv, type CliEnv } from './env'
import { readConfigFile } from './file'

/**
 * The CLI's configuration: the environment, then the config file for what the environment
 * leaves unset (flags override both, in the commands).
 */
export async function loadCliConfig(
  source: Readonly<Record<string, string | undefined>>,
): Promise<CliEnv> {
  const env = parseCliEnv(source)
  const file = await readConfigFile(env.configDir)
  return Object.freeze({
    ...env,
    url: env.url ?? file.url,
    transport: env.transport ?? file.transport,
    model: file.model,
    roles: file.roles ?? {},
  })
}
