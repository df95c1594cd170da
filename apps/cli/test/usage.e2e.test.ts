import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/run-cli'
import { startTestServer, type TestServer } from './helpers/server'

let server: TestServer
let env: Record<string, string>

beforeAll(async () => {
  server = await startTestServer()
  env = { T3CHAT_URL: server.url, T3CHAT_DATA_DIR: server.dataDir, NO_COLOR: '1' }
})
afterAll(() => server.close())

describe('t3chat usage and t3chat key (the built CLI, against a real server)', () => {
  it('usage prints a row per day with a bar and the total; --by model --json prints the summary', async () => {
    const asked = await runCli(['ask', 'What does this cost?', '--model', 'fake/echo'], { env })
    expect(asked.code).toBe(0)

    const table = await runCli(['usage'], { env })
    expect(table.stderr).toBe('')
    expect(table.code).toBe(0)
    const today = new Date().toISOString().slice(0, 10)
    expect(table.stdout).toMatch(new RegExp(`${today} .*answers .*tokens .*\\$[0-9.]+ █+`))
    expect(table.stdout).toMatch(/^total /m)

    const json = await runCli(['usage', '--by', 'model', '--json'], { env })
    const summary = JSON.parse(json.stdout) as { rows: Array<{ key: string; answers: number }> }
    expect(summary.rows.find((r) => r.key === 'fake/echo')?.answers).toBe(1)

    const bad = await runCli(['usage', '--by', 'week'], { env })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--by must be day or model')
  })

  it('key set reads the key from stdin and shows only its last 4; key remove takes it away', async () => {
    const key = 'sk-or-v1-cli0123456789abcdefwxyz'
    const set = await runCli(['key', 'set'], { env, stdin: `${key}\n` })
    expect(set.stderr).toBe('')
    expect(set.code).toBe(0)
    expect(set.stdout).toContain('…wxyz is set')
    expect(set.stdout).not.toContain(key.slice(0, -4))

    const removed = await runCli(['key', 'remove'], { env })
    expect(removed.code).toBe(0)
    expect(removed.stdout).toContain('removed')

    const empty = await runCli(['key', 'set'], { env, stdin: '' })
    expect(empty.code).toBe(1)
    expect(empty.stderr).toContain('No key given')
  })
})
