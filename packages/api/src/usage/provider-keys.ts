import { createHash } from 'node:crypto'
import {
  checkProviderKey,
  createOpenRouterProvider,
  fetchGenerationCost,
  type GenerationCost,
  type KeyCheck,
  type LlmProvider,
  type OpenRouterOptions,
} from '@t3chat/llm'
import { createSecretBox, type SecretBox } from './secret-box'

/** How the API reaches the provider's account calls and users' own keys. */
export interface AccountsOptions {
  /** Encrypts users' provider keys (32 bytes); null: users cannot set their own key. */
  encryptionKey: Uint8Array | null
  /** The provider's base URL (users' keys go there too); default OpenRouter's. */
  baseURL?: string
  /** The server's own provider key, to ask the cost of its generations; null: keyless. */
  serverKey: string | null
  /** Options of the providers built for users' keys (timeouts, app attribution). */
  provider?: Omit<OpenRouterOptions, 'apiKey' | 'baseURL'>
}

/** Users' own provider keys: sealing, checking, and a provider per key. */
export interface ProviderKeys {
  readonly enabled: boolean
  seal(key: string, userId: string): string
  /** The user's key, or null when the stored value does not open (the encryption key changed). */
  open(sealed: string, userId: string): string | null
  check(key: string): Promise<KeyCheck>
  /** A provider on the user's key (kept for reuse while the key stays the same). */
  providerFor(userId: string, key: string): LlmProvider
  /** The cost of a generation made with `key` (null: the server's key); null while unknown. */
  generationCost(key: string | null, id: string): Promise<GenerationCost | null>
}

const CACHED_PROVIDERS = 1_000

export function createProviderKeys(opts: AccountsOptions | null): ProviderKeys {
  const box: SecretBox | null =
    opts?.encryptionKey == null ? null : createSecretBox(opts.encryptionKey)
  const account = { ...(opts?.baseURL !== undefined ? { baseURL: opts.baseURL } : {}) }
  /** user id → [hash of the key, provider]. */
  const providers = new Map<string, [string, LlmProvider]>()
  const requireBox = (): SecretBox => {
    if (box === null) throw new Error('no encryption key configured')
    return box
  }
  return {
    enabled: box !== null,
    seal: (key, userId) => requireBox().seal(key, userId),
    open: (sealed, userId) => (box === null ? null : box.open(sealed, userId)),
    check: (key) => checkProviderKey(account, key),
    providerFor(userId, key) {
      const hash = createHash('sha256').update(key).digest('base64url')
      const cached = providers.get(userId)
      if (cached !== undefined && cached[0] === hash) return cached[1]
      const provider = createOpenRouterProvider({ ...opts?.provider, ...account, apiKey: key })
      if (providers.size >= CACHED_PROVIDERS) providers.clear()
      providers.set(userId, [hash, provider])
      return provider
    },
    generationCost(key, id) {
      const apiKey = key ?? opts?.serverKey ?? null
      if (apiKey === null) return Promise.resolve(null)
      return fetchGenerationCost(account, apiKey, id)
    },
  }
}
