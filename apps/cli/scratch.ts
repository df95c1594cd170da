import pino from 'pino'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, parseEnv } from '@t3chat/server'
import { startFakeUpstream } from '@t3chat/llm/fake'
import { loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { createChatClient } from '@t3chat/client'

const dir = mkdtempSync(join(tmpdir(), 't3c-'))
const fake = await startFakeUpstream()
const env = parseEnv({ PORT: '0', T3CHAT_DATA_DIR: dir, OPENROUTER_API_KEY: 'x', OPENROUTER_BASE_URL: fake.baseURL, LOG_LEVEL: 'warn', DEFAULT_MODEL: 'fake/slow', TITLE_MODEL: 'fake/title:text=Hello%20T' })
const t0 = Date.now()
const server = await startServer(env, pino({ level: 'warn' }))
console.log('started in', Date.now() - t0, server.url)
const token = await mintLocalToken(await loadOrCreateLocalAuth(dir))
for (const transport of ['sse', 'ws'] as const) {
  const client = createChatClient({ url: server.url, getToken: () => token, transport })
  console.log(await client.health.query())
  const r = await client.chat.send.mutate({ clientMessageId: crypto.randomUUID(), content: 'hello there', model: 'fake/lorem:tokens=10,delay=10' })
  console.log(r.assistantMessage.status)
  await new Promise<void>((resolve) => {
    client.chat.stream.subscribe({ messageId: r.assistantMessage.id }, {
      onData: (e) => console.log(e.id, JSON.stringify(e.data).slice(0, 120)),
      onError: (e) => { console.log('err', e); resolve() },
      onComplete: () => { console.log('complete'); resolve() },
      onConnectionStateChange: (s) => console.log('state', s.state, s.error?.message),
    })
  })
  console.log((await client.message.list.query({ conversationId: r.conversation.id })).items.map((m) => [m.role, m.status, m.content]))
  try { await client.chat.send.mutate({ clientMessageId: crypto.randomUUID(), content: 'x', model: 'nope/none' }) } catch (e) { console.log('bad model:', (e as Error).message) }
  client.close()
}
await server.close(); await fake.close()
