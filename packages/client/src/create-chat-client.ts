import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  wsLink,
  type TRPCClient,
} from '@trpc/client'
import { createRequire } from 'node:module'
import { EventSource as PolyfillEventSource } from 'eventsource'
import type { AppRouter } from '@t3chat/api'

/** Options of {@link createChatClient}. */
export interface ChatClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:3000`. */
  url: string
  /** The current access token (called before every request and (re)connection); null when signed out. */
  getToken: () => string | null | undefined | Promise<string | null | undefined>
  /** How subscriptions travel: Server-Sent Events (default) or one WebSocket. */
  transport?: 'sse' | 'ws'
  /** Delay before a dropped WebSocket reconnects (ms, by attempt). Default: 250 ms doubling to 5 s. */
  retryDelayMs?: (attempt: number) => number
  /** Custom fetch (tests, proxies). */
  fetch?: typeof fetch
}

/** The typed client: every procedure of API.md, plus `close()` to drop its connections. */
export type ChatClient = TRPCClient<AppRouter> & {
  /** Closes the WebSocket (if any); further subscriptions reconnect. */
  close(): void
}

/**
 * Creates a typed t3chat client. Queries and mutations go over HTTP (batched); subscriptions
 * over SSE (default) or WebSocket. The token is sent on every transport: as the
 * `Authorization` header over HTTP and SSE, as connection params over WebSocket.
 * Works in Node ≥ 20 (EventSource and WebSocket are provided) and in browsers.
 *
 * @example
 * const client = createChatClient({ url: 'http://127.0.0.1:3000', getToken: () => token })
 * const { assistantMessage } = await client.chat.send.mutate({ clientMessageId: crypto.randomUUID(), content: 'Hi' })
 * client.chat.stream.subscribe({ messageId: assistantMessage.id }, {
 *   onData: ({ data }) => { if (data.type === 'delta') process.stdout.write(data.text) },
 * })
 */
export function createChatClient(opts: ChatClientOptions): ChatClient {
  const base = opts.url.replace(/\/+$/, '')
  const doFetch = opts.fetch ?? globalThis.fetch
  const authorization = async (): Promise<Record<string, string>> => {
    const token = await opts.getToken()
    return token ? { authorization: `Bearer ${token}` } : {}
  }

  const wsClient =
    opts.transport === 'ws'
      ? createWSClient({
          url: base.replace(/^http/, 'ws'),
          WebSocket: globalThis.WebSocket ?? nodeWebSocket(),
          lazy: { enabled: true, closeMs: 30_000 },
          keepAlive: { enabled: true, intervalMs: 20_000, pongTimeoutMs: 10_000 },
          retryDelayMs: opts.retryDelayMs ?? ((attempt) => Math.min(250 * 2 ** attempt, 5_000)),
          connectionParams: async () => {
            const token = await opts.getToken()
            return token ? { token } : {}
          },
        })
      : null

  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true:
          wsClient !== null
            ? wsLink<AppRouter>({ client: wsClient })
            : httpSubscriptionLink<AppRouter, typeof PolyfillEventSource>({
                url: base,
                // The EventSource polyfill (fetch based, Node and browsers) lets the token
                // travel as a header instead of in the URL.
                EventSource: PolyfillEventSource,
                eventSourceOptions: () => ({
                  fetch: async (input: string | URL | Request, init?: RequestInit) =>
                    doFetch(input, {
                      ...init,
                      headers: { ...init?.headers, ...(await authorization()) },
                    }),
                }),
              }),
        // A call made with `context: { skipBatch: true }` travels alone: big bodies (an
        // imported conversation) would otherwise add up past the server's body limit.
        // The server refuses batches of more than 50 calls (MAX_BATCH_CALLS).
        false: splitLink({
          condition: (op) => op.context.skipBatch === true,
          true: httpLink<AppRouter>({ url: base, headers: authorization, fetch: doFetch }),
          false: httpBatchLink<AppRouter>({
            url: base,
            headers: authorization,
            fetch: doFetch,
            maxItems: 50,
          }),
        }),
      }),
    ],
  })

  const close = () => wsClient?.close()
  return new Proxy(client, {
    get: (target, key, receiver) =>
      key === 'close' ? close : (Reflect.get(target, key, receiver) as unknown),
  }) as ChatClient
}

/**
 * Node 20 has no WebSocket: the `ws` package's, loaded only by clients that use the WebSocket
 * transport (a command over SSE does not pay for parsing it).
 */
function nodeWebSocket(): typeof WebSocket {
  const ws = createRequire(import.meta.url)('ws') as { WebSocket: unknown }
  return ws.WebSocket as typeof WebSocket
}
