import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChatClient } from '@t3chat/client'
import { FAKE_OTP_CODE, startFakeGoTrue, type FakeGoTrue } from './helpers/fake-gotrue'
import { runCli } from './helpers/run-cli'
import { startTestServer, type TestServer } from './helpers/server'

const EMAIL = 'ada@example.test'
const PASSWORD = 'correct horse battery staple'

let gotrue: FakeGoTrue
let server: TestServer
let env: Record<string, string>
let configHome: string

beforeAll(async () => {
  // Tokens that expire within supabase-js's refresh margin: every command has to refresh first.
  gotrue = await startFakeGoTrue({ email: EMAIL, password: PASSWORD, expiresInSec: 60 })
  server = await startTestServer({ SUPABASE_URL: gotrue.url })
  configHome = await mkdtemp(join(tmpdir(), 't3chat-cli-config-'))
  env = {
    T3CHAT_URL: server.url,
    // No local identity here: only the Supabase session can sign the CLI in.
    T3CHAT_DATA_DIR: join(configHome, 'no-data'),
    SUPABASE_URL: gotrue.url,
    SUPABASE_ANON_KEY: 'anon-key',
    XDG_CONFIG_HOME: configHome,
  }
})
afterAll(async () => {
  await server.close()
  await gotrue.close()
  await rm(configHome, { recursive: true, force: true })
})

const sessionFile = () => join(configHome, 't3chat', 'session.json')

describe('t3chat login against a Supabase server', () => {
  it('refuses a wrong password in one line and stores nothing', async () => {
    const result = await runCli(['login', '--email', EMAIL, '--password-stdin'], {
      env,
      stdin: 'wrong\n',
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^t3chat: Sign-in failed: Invalid login credentials\. /)
    await expect(stat(sessionFile())).rejects.toThrow()
  })

  it('asks without a session, then signs in, keeps the session 0600 and refreshes it automatically', async () => {
    const before = await runCli(['list'], { env })
    expect(before.code).toBe(1)
    expect(before.stderr).toContain('t3chat login')

    const login = await runCli(['login', '--email', EMAIL, '--password-stdin'], {
      env,
      stdin: `${PASSWORD}\n`,
    })
    expect(login.stderr).toContain(`Signed in as ${EMAIL}`)
    expect(login.code).toBe(0)
    const file = await stat(sessionFile())
    expect(file.mode & 0o777).toBe(0o600)
    expect((await stat(join(configHome, 't3chat'))).mode & 0o777).toBe(0o700)

    const refreshesBefore = gotrue.calls.refresh
    const ask = await runCli(['ask', 'signed in?', '--model', 'fake/echo'], { env })
    expect(ask.stderr).toBe('')
    expect(ask.code).toBe(0)
    expect(ask.stdout).toBe('signed in?\n')
    expect(gotrue.calls.refresh).toBeGreaterThan(refreshesBefore)
    expect((await stat(sessionFile())).mode & 0o777).toBe(0o600)

    // The answer belongs to the Supabase user.
    const client = createChatClient({ url: server.url, getToken: () => gotrue.issuer.sign() })
    const { items } = await client.conversation.list.query({})
    expect(items.map((c) => c.preview)).toContain('signed in?')
  })

  it('signs in with a one-time code, and logs out', async () => {
    const otp = await runCli(['login', '--email', EMAIL, '--otp'], {
      env,
      stdin: `${FAKE_OTP_CODE}\n`,
    })
    expect(otp.stderr).toContain(`Signed in as ${EMAIL}`)
    expect(otp.code).toBe(0)
    expect(gotrue.calls.otp).toBe(1)
    expect(gotrue.calls.verify).toBe(1)

    const logout = await runCli(['logout'], { env })
    expect(logout.code).toBe(0)
    expect(gotrue.calls.logout).toBeGreaterThan(0)
    await expect(stat(sessionFile())).rejects.toThrow()
    const after = await runCli(['list'], { env })
    expect(after.code).toBe(1)
    expect(after.stderr).toContain('t3chat login')
  })
})
