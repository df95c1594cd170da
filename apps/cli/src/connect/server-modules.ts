/**
 * The server's code, for an embedded server. The workspace packages ship TypeScript source:
 * the compiled CLI registers tsx for them here, the first time a local server is needed, so
 * talking to a running server never loads tsx or the server.
 */
export async function loadServerModules() {
  if (!import.meta.url.endsWith('.ts')) {
    const { register } = await import('tsx/esm/api')
    register({ tsconfig: new URL('../tsconfig.json', import.meta.url).pathname })
  }
  const [server, { default: pino }] = await Promise.all([import('@t3chat/server'), import('pino')])
  return { ...server, pino }
}

/** The fake model provider of `--demo` (see {@link loadServerModules}). */
export async function loadFakeUpstream() {
  return (await import('@t3chat/llm/fake')).startFakeUpstream
}
