import { access, constants, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { loadOrCreateLocalAuth, readLocalAuth } from '@t3chat/auth'
import { createChatClient, type ChatClient } from '@t3chat/client'
import type { GlobalOptions } from '../args'
import { hasStoredSession } from '../auth/file-storage'
import { DEFAULT_URL, type CliEnv } from '../config/env'
import { CliError } from '../errors'
import { startEmbeddedServer } from './embedded'
import { dataDirError } from './embedded-errors'
import { acquireEmbeddedLock } from './embedded-lock'
import { localTokenProvider } from './local-token'
import { probeServer } from './probe'

/** A connection to a t3chat server for one CLI run. */
export interface Session {
  client: ChatClient
  url: string
  /** `remote`: a server that was already running; `embedded`/`demo`: started by this process. */
  kind: 'remote' | 'embedded' | 'demo'
  transport: 'sse' | 'ws'
  /** The model new answers get when none is chosen, when known. */
  defaultModel: string | null
  /** One line to show once, e.g. how to enable answers on a keyless local server. */
  notice: string | null
  /** Closes the client and stops an embedded server. */
  close(): Promise<void>
}

/** A session over an existing client (tests, or a caller that built its own). */
export function clientSession(opts: {
  url: string
  getToken: () => string | null | Promise<string | null>
  transport?: 'sse' | 'ws'
  kind?: Session['kind']
  defaultModel?: string | null
  notice?: string | null
  onClose?: () => Promise<void>
}): Session {
  const transport = opts.transport ?? 'sse'
  const client = createChatClient({ url: opts.url, getToken: opts.getToken, transport })
  return {
    client,
    url: opts.url,
    kind: opts.kind ?? 'remote',
    transport,
    defaultModel: opts.defaultModel ?? null,
    notice: opts.notice ?? null,
    async close() {
      client.close()
      await opts.onClose?.()
    },
  }
}

/** What a keyless local server means for the user, in one line. */
export const KEYLESS_NOTICE =
  'Answers are off: export OPENROUTER_API_KEY=sk-or-… and restart, or add --demo for the offline demo.'

/**
 * Finds the server and signs in:
 * - `--demo`: an embedded server with the fake model provider;
 * - `--url`/`T3CHAT_URL`: that server (an error when it does not answer);
 * - otherwise the default local URL when a server answers there, else an embedded server.
 * Local servers get a token minted from the data directory's secret; Supabase servers use
 * the session stored by `t3chat login`.
 */
export async function openSession(
  env: CliEnv,
  global: GlobalOptions,
  opts: { onProgress?: (text: string) => void } = {},
): Promise<Session> {
  const transport = global.transport ?? env.transport ?? 'sse'
  const explicitUrl = global.url ?? env.url

  if (global.demo || explicitUrl === undefined) {
    if (!global.demo && (await probeServer(DEFAULT_URL))) {
      return remoteSession(env, DEFAULT_URL, transport)
    }
    const dataDir = global.demo ? join(env.dataDir, 'demo') : env.dataDir
    return embeddedSession({ env, dataDir, demo: global.demo, transport, ...opts })
  }

  if (!(await probeServer(explicitUrl, 5_000))) {
    throw new CliError(
      `Cannot reach a t3chat server at ${explicitUrl}`,
      'Check that it is running (`pnpm start`) and the URL (--url / T3CHAT_URL); unset T3CHAT_URL to let t3chat start a local one.',
    )
  }
  return remoteSession(env, explicitUrl, transport)
}

async function remoteSession(env: CliEnv, url: string, transport: 'sse' | 'ws'): Promise<Session> {
  if (env.supabase !== null && (await hasStoredSession(env.configDir))) {
    const { createSupabaseAuth } = await import('../auth/supabase')
    const supabase = createSupabaseAuth(env.supabase, env.configDir)
    return clientSession({ url, getToken: () => supabase.getToken(), transport })
  }
  let auth
  try {
    auth = await readLocalAuth(env.dataDir)
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error))
  }
  if (auth === null) {
    throw env.supabase !== null
      ? new CliError('Not signed in', 'Run `t3chat login` first.')
      : new CliError(
          `No local identity in ${env.dataDir}, so t3chat cannot sign in to ${url}`,
          'Set T3CHAT_DATA_DIR to the data directory of that server, or sign in with `t3chat login` (Supabase servers).',
        )
  }
  return clientSession({ url, getToken: localTokenProvider(auth), transport })
}

/**
 * A server inside this process, unless another t3chat already runs one on the same data
 * directory (its database allows a single process): then that one is shared.
 */
async function embeddedSession(opts: {
  env: CliEnv
  dataDir: string
  demo: boolean
  transport: 'sse' | 'ws'
  onProgress?: (text: string) => void
}): Promise<Session> {
  const { dataDir, transport } = opts
  const deadline = Date.now() + 20_000
  await usableDataDir(dataDir)
  for (;;) {
    const lock = await acquireEmbeddedLock(dataDir)
    if (lock.kind === 'held') {
      if (lock.url !== null && (await probeServer(lock.url))) {
        return clientSession({
          url: lock.url,
          getToken: localTokenProvider(await loadOrCreateLocalAuth(dataDir)),
          transport,
          notice: `Sharing the local server of another t3chat (pid ${lock.pid}); it stops when that one exits.`,
        })
      }
      if (Date.now() > deadline) {
        throw new CliError(
          `Another t3chat (pid ${lock.pid}) holds the local server of ${dataDir} but it does not answer`,
          'Wait for it to finish starting, or end it; `pnpm start` gives every t3chat one shared server.',
        )
      }
      opts.onProgress?.(`Waiting for the local server of another t3chat (pid ${lock.pid})…`)
      await new Promise((resolve) => setTimeout(resolve, 250))
      continue
    }
    opts.onProgress?.(opts.demo ? 'Starting the offline demo…' : 'Starting a local t3chat server…')
    try {
      const server = await startEmbeddedServer({
        source: opts.env.source,
        dataDir,
        demo: opts.demo,
      })
      await lock.publish(server.url)
      return clientSession({
        url: server.url,
        getToken: localTokenProvider(await loadOrCreateLocalAuth(dataDir)),
        transport,
        kind: opts.demo ? 'demo' : 'embedded',
        defaultModel: server.defaultModel,
        notice: server.canAnswer ? null : KEYLESS_NOTICE,
        onClose: async () => {
          await server.close()
          await lock.release()
        },
      })
    } catch (error) {
      await lock.release()
      throw error
    }
  }
}

/** Creates the data directory if needed and checks it is writable (names T3CHAT_DATA_DIR). */
async function usableDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
    await access(dataDir, constants.W_OK)
  } catch (error) {
    throw dataDirError(dataDir, error)
  }
}
