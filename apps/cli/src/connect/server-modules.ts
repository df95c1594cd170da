import { CliError } from '../errors'

/** The compiled server is missing (a checkout where `pnpm install` did not build it). */
function notBuilt(error: unknown): never {
  if (
    error instanceof Error &&
    'code' in error &&
    error.code === 'ERR_MODULE_NOT_FOUND' &&
    error.message.includes('server/dist/')
  ) {
    throw new CliError(
      'The local server is not built yet, so the CLI cannot start one.',
      'Run `pnpm install` (or `pnpm build`) in the repository, or set T3CHAT_URL to a running server.',
    )
  }
  throw error
}

/**
 * The server's code, for an embedded server, loaded the first time a local server is needed
 * (talking to a running server never loads it). The compiled CLI imports the compiled server
 * (apps/server/dist, see build.ts); tests and tsx run its source.
 */
export async function loadServerModules() {
  const [server, { default: pino }] = await Promise.all([
    import('@t3chat/server').catch(notBuilt),
    import('pino'),
  ])
  return { ...server, pino }
}

/** The fake model provider of `--demo` (see {@link loadServerModules}). */
export async function loadFakeUpstream() {
  return (await import('@t3chat/server/fake-upstream').catch(notBuilt)).startFakeUpstream
}
