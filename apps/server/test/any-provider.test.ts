import { randomUUID } from 'node:crypto'
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getDefaultConfig } from '@dwmkerr/mock-llm/dist/config.js'
import { createServer as createMockLlm } from '@dwmkerr/mock-llm/dist/server.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { deltaText, finalMessage, unsubscribeAll } from './support/recording'
import { startTestServer, type TestServer } from './support/test-server'
import { sendAndStream } from './support/wire'

// Against an OpenAI-compatible server we did not write (mock-llm, on loopback): its catalog
// lists `gpt-5.2`, an id without a vendor prefix. Regression: choosing it was refused with
// 'must look like "vendor/model"' although streaming with DEFAULT_MODEL=gpt-5.2 worked.

let mock: Server
let ts: TestServer
beforeAll(async () => {
  const config = getDefaultConfig()
  // An express app (its types are not installed here): mount it on a plain node server.
  const app = createMockLlm(config, '127.0.0.1', 0) as unknown as RequestListener
  mock = createServer(app)
  await new Promise<void>((resolve) => mock.listen(0, '127.0.0.1', resolve))
  const { port } = mock.address() as AddressInfo
  ts = await startTestServer({
    OPENROUTER_BASE_URL: `http://127.0.0.1:${port}/v1`,
    DEFAULT_MODEL: 'gpt-5.2',
    TITLE_MODEL: 'gpt-5.2',
  })
})
afterEach(() => unsubscribeAll())
afterAll(async () => {
  await ts.close()
  await new Promise((resolve) => mock.close(resolve))
})

describe('a model id without a vendor prefix, from a third-party catalog', () => {
  it('is listed, and accepted by conversation.create/update, user.update and chat.send', async () => {
    const client = ts.client('sse', await ts.token())
    const { models } = await client.model.list.query()
    expect(models.map((m) => m.id)).toContain('gpt-5.2')

    const conversation = await client.conversation.create.mutate({ model: 'gpt-5.2' })
    const updated = await client.conversation.update.mutate({
      id: conversation.id,
      model: 'gpt-5.2',
    })
    expect(updated.currentModel).toBe('gpt-5.2')
    const me = await client.user.update.mutate({ defaultModel: 'gpt-5.2' })
    expect(me.defaultModel).toBe('gpt-5.2')

    const content = `hello from ${randomUUID()}`
    const { stream } = await sendAndStream(client, {
      conversationId: conversation.id,
      clientMessageId: randomUUID(),
      content,
      model: 'gpt-5.2',
    })
    await stream.settled()
    const final = finalMessage(stream.events)
    expect(final).toMatchObject({ status: 'completed', model: 'gpt-5.2', content })
    expect(deltaText(stream.events)).toBe(content)
  })
})
