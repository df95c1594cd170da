import { afterAll, beforeAll, expect, it } from 'vitest'
import { runCli } from './helpers/run-cli'
import { startTestServer, type TestServer } from './helpers/server'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ OPENROUTER_API_KEY: undefined })
})
afterAll(() => server.close())

it('without OPENROUTER_API_KEY, ask says in one line how to set it, and stores nothing', async () => {
  const env = { T3CHAT_URL: server.url, T3CHAT_DATA_DIR: server.dataDir }
  const result = await runCli(['ask', 'hello'], { env })
  expect(result.code).toBe(1)
  expect(result.stderr.trim().split('\n')).toHaveLength(1)
  // Named once, with the other way out as a flag this command takes.
  expect(result.stderr.split('OPENROUTER_API_KEY')).toHaveLength(2)
  expect(result.stderr).toMatch(/Or add --demo for the offline demo\.\n$/)
  const { items } = await server.client.conversation.list.query({})
  expect(items).toHaveLength(0)
  const list = await runCli(['list'], { env })
  expect(list.code).toBe(0)
})
