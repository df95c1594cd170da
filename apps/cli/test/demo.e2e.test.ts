import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { lockPath, readLock } from '../src/connect/embedded-lock'
import { runCli } from './helpers/run-cli'
import { waitFor } from './helpers/wait'

let dataDir: string

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 't3chat-cli-demo-'))
})
afterAll(() => rm(dataDir, { recursive: true, force: true }))

it('--demo runs its own server with the fake provider; a second t3chat shares it', async () => {
  const env = { T3CHAT_DATA_DIR: dataDir }
  const first = runCli(
    ['ask', 'a slow one', '--demo', '--model', 'fake/lorem:tokens=400,delay=20'],
    {
      env,
      timeoutMs: 50_000,
    },
  )
  // While the first one's server runs, a second t3chat joins it instead of opening the same
  // embedded database twice (which would corrupt it).
  const lock = await waitFor(async () => (await readLock(lockPath(join(dataDir, 'demo'))))?.url, {
    timeoutMs: 40_000,
  })
  expect(lock).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  const second = await runCli(['ask', 'hello offline world', '--demo', '--model', 'fake/echo'], {
    env,
  })
  expect(second.stderr).toBe('')
  expect(second.code).toBe(0)
  expect(second.stdout).toBe('hello offline world\n')

  const slow = await first
  expect(slow.stderr).toBe('')
  expect(slow.code).toBe(0)
  expect(slow.stdout.split(' ').length).toBeGreaterThan(300)

  // Demo data lives apart from real conversations and stays for the next demo; the lock is gone.
  const kept = await readdir(join(dataDir, 'demo'))
  expect(kept).toContain('local-auth.json')
  expect(kept).not.toContain('cli-server.lock')
}, 60_000)
