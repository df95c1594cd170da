import {
  createClient,
  type SupabaseClient,
  type SupabaseClientOptions,
} from '@supabase/supabase-js'
import WebSocket from 'ws'
import { CliError } from '../errors'
import { fileSessionStorage } from './file-storage'

/** Supabase project settings (SUPABASE_URL, SUPABASE_ANON_KEY). */
export interface SupabaseConfig {
  url: string
  anonKey: string
}

/** Sign-in against Supabase Auth with the session kept in the config directory. */
export interface SupabaseAuth {
  client: SupabaseClient
  /** The current access token, refreshed first when it is (about to be) expired; null when signed out. */
  getToken(): Promise<string | null>
}

const STORAGE_KEY = 't3chat-auth'

type RealtimeTransport = NonNullable<
  NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']
>

/**
 * Creates the Supabase client the CLI signs in with. The session is persisted (0600) in
 * `configDir` and refreshed on demand by `getToken()` rather than by a background timer, so
 * a one-shot command exits as soon as it is done.
 */
export function createSupabaseAuth(config: SupabaseConfig, configDir: string): SupabaseAuth {
  const client = createClient(config.url, config.anonKey, {
    auth: {
      storage: fileSessionStorage(configDir),
      storageKey: STORAGE_KEY,
      persistSession: true,
      autoRefreshToken: false,
      detectSessionInUrl: false,
    },
    // supabase-js needs a WebSocket implementation on Node 20 even when realtime is unused.
    realtime: { transport: WebSocket as unknown as RealtimeTransport },
  })
  return {
    client,
    async getToken() {
      const { data, error } = await client.auth.getSession()
      if (error) {
        throw new CliError(
          `Your session could not be refreshed (${error.message})`,
          'Run `t3chat login` again.',
        )
      }
      return data.session?.access_token ?? null
    },
  }
}
