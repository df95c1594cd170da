import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runCli } from './helpers/run-cli'

let dataDir: string

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 't3chat-cli-demo-'))
})
afterAll(() => rm(dataDir, { recursive: true, force: true }))

it('--demo starts its own server with the fake model provider, apart from real data', async () => {
  const env = { T3CHAT_DATA_DIR: dataDir }
  const ask = await runCli(['ask', 'hello offline world', '--demo', '--model', 'fake/echo'], {
    env,
    timeoutMs: 40_000,
  })
  expect(ask.stderr).toBe('')
  expect(ask.code).toBe(0)
  expect(ask.stdout).toBe('hello offline world\n')

  // Demo data lives apart from real conversations, and stays for the next demo.
  const kept = await readdir(join(dataDir, 'demo'))
  expect(kept).toContain('local-auth.json')
  expect(kept.length).toBeGreaterThan(1)
}, 60_000)
