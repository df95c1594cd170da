import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadOrCreateLocalAuth, readLocalAuth } from '@t3chat/auth'
import { createChatClient } from '@t3chat/client'
import type { TestDb } from '@t3chat/db/testing'
import { killChildren, runScript, runShell, spawnServer } from './support/child-server'
import { freshPostgres, tempDataDir } from './support/test-server'
import { rejectionCode } from './support/wire'

// The process as a person starts it: `pnpm start` (dist/main.js) and `pnpm -s mint-token` (dist/token.js),
// each with an environment this file controls completely.

// Spawned processes cold-start tsx and the database: slow on a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 })

let postgres: TestDb | null = null
const dirs: string[] = []
beforeAll(async () => {
  postgres = await freshPostgres()
})
afterEach(async () => {
  await killChildren()
})
afterAll(async () => {
  await killChildren()
  await postgres?.destroy()
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function dataDir(): Promise<string> {
  const dir = await tempDataDir()
  dirs.push(dir)
  return dir
}

/** The database part of the environment: Postgres when the test run has one, else embedded. */
function databaseEnv(): Record<string, string> {
  return postgres?.connectionString ? { DATABASE_URL: postgres.connectionString } : {}
}

describe.concurrent('a bad configuration stops the start with one line naming the variable', () => {
  it.for([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'not-a-url' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['HOST', { HOST: '0.0.0.0' }],
    ['DATABASE_URL', { REDIS_URL: 'redis://127.0.0.1:6379' }],
    ['REDIS_URL', { WORKERS: '2' }],
    [
      'T3CHAT_ENCRYPTION_KEY',
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', REDIS_URL: 'redis://x:1' },
    ],
    ['T3CHAT_ENCRYPTION_KEY', { T3CHAT_ENCRYPTION_KEY: 'c2hvcnQ=' }],
    ['BUDGET_USD_PER_USER_DAY', { BUDGET_USD_PER_USER_DAY: 'five' }],
    [
      'REDIS_URL',
      {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
        REDIS_URL: 'redis://127.0.0.1:1',
        T3CHAT_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
      },
    ],
  ] as const)('%s: %j', async ([variable, bad], { expect }) => {
    const result = await runScript('main.ts', { T3CHAT_DATA_DIR: await dataDir(), ...bad })
    expect(result.code).not.toBe(0)
    expect(result.code).not.toBeNull()
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(variable)
    expect(result.stdout).not.toContain('listening')
  })

  it('local mode on a public HOST names T3CHAT_ALLOW_REMOTE as the way out', async ({ expect }) => {
    const result = await runScript('main.ts', { T3CHAT_DATA_DIR: await dataDir(), HOST: '0.0.0.0' })
    expect(result.stderr).toContain('T3CHAT_ALLOW_REMOTE')
  })

  it('regression: a malformed DATABASE_URL was echoed with its password; now only named', async ({
    expect,
  }) => {
    const result = await runScript('main.ts', {
      T3CHAT_DATA_DIR: await dataDir(),
      DATABASE_URL: 'postgres//app:hunter2-secret@db.example:5432/t3chat',
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('DATABASE_URL')
    expect(result.stderr).not.toContain('hunter2-secret')
  })
})

it('local mode on HOST=0.0.0.0 starts with T3CHAT_ALLOW_REMOTE=1', async () => {
  const server = await spawnServer({
    T3CHAT_DATA_DIR: await dataDir(),
    HOST: '0.0.0.0',
    PORT: '0',
    T3CHAT_ALLOW_REMOTE: '1',
    ...databaseEnv(),
  })
  expect(server.url).toBe(`http://0.0.0.0:${server.port}`)
  const client = createChatClient({ url: `http://127.0.0.1:${server.port}`, getToken: () => null })
  expect(await client.health.query()).toMatchObject({ status: 'ok', db: 'ok' })
})

describe('`pnpm start` on a fresh data directory, then `pnpm -s mint-token`', () => {
  it('serves health, says how to connect, and accepts the token that its token line prints', async () => {
    const dir = await dataDir()
    // Only what a first run has: where the data lives, and a free port.
    const server = await spawnServer({ T3CHAT_DATA_DIR: dir, PORT: '0' })
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    const stdout = server.stdout()
    expect(stdout).toContain(`listening on ${server.url}`)
    expect(stdout).toContain(
      `Connect: T3CHAT_URL=${server.url} T3CHAT_DATA_DIR=${dir} pnpm -s chat`,
    )
    // Keyless: it says which variable turns answers on.
    expect(stdout).toContain('OPENROUTER_API_KEY')

    const anonymous = createChatClient({ url: server.url, getToken: () => null })
    expect(await anonymous.health.query()).toMatchObject({ status: 'ok', db: 'ok' })

    // The banner's token line, run by a shell as written: $TOKEN holds exactly the token.
    const tokenLine = /^A token: +(TOKEN=.*)$/m.exec(stdout)?.[1] ?? ''
    expect(tokenLine).toContain('pnpm -s mint-token')
    const printed = await runShell(`${tokenLine} && printf '%s' "$TOKEN"`)
    expect(printed.code).toBe(0)
    const token = printed.stdout
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)

    const client = createChatClient({ url: server.url, getToken: () => token })
    const me = await client.user.me.query()
    expect(me.id).toBe((await readLocalAuth(dir))?.userId)

    // A keyless run answers everything but generation, and says which variable to set.
    const refused = client.chat.send.mutate({ clientMessageId: randomUUID(), content: 'hi' })
    await expect(refused).rejects.toThrow(/OPENROUTER_API_KEY/)
    expect(
      await rejectionCode(
        client.chat.send.mutate({ clientMessageId: randomUUID(), content: 'hi' }),
      ),
    ).toBe('PRECONDITION_FAILED')
    expect((await client.conversation.list.query({})).items).toEqual([])
  })

  it('a busy port: one line naming PORT and what to do, no stack trace', async () => {
    const first = await spawnServer({
      T3CHAT_DATA_DIR: await dataDir(),
      PORT: '0',
      ...databaseEnv(),
    })
    const result = await runScript(
      'main.ts',
      { T3CHAT_DATA_DIR: await dataDir(), PORT: String(first.port), ...databaseEnv() },
      80_000,
    )
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      `t3chat: PORT=${first.port}: 127.0.0.1:${first.port} is already in use (another t3chat?). Stop it, or start with another PORT (PORT=0 picks a free one).\n`,
    )
  })

  it('the token script refuses in Supabase mode', async () => {
    const result = await runScript('token.ts', {
      T3CHAT_DATA_DIR: await dataDir(),
      SUPABASE_URL: 'https://project.supabase.co',
    })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('SUPABASE_URL')
  })
})

describe('a data directory the database cannot use', () => {
  it('read-only: the start fails with a line naming the directory and the cause', async (ctx) => {
    if (postgres !== null) return ctx.skip('the embedded database only (DATABASE_URL is set)')
    const dir = await dataDir()
    // A read-only file system (root ignores permission bits, so chmod would prove nothing).
    const mounted = await run('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir])
    if (!mounted) return ctx.skip('cannot mount a tmpfs here (needs root and mount rights)')
    try {
      // As after an earlier run: the secret and the database directory exist.
      await loadOrCreateLocalAuth(dir)
      await mkdir(join(dir, 'db'))
      expect(await run('mount', ['-o', 'remount,ro', dir])).toBe(true)
      const result = await runScript('main.ts', { T3CHAT_DATA_DIR: dir })
      expect(result.code).toBe(1)
      const lines = result.stderr.trimEnd().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(`${dir}/db`)
      expect(lines[0]).toMatch(/read-only/)
      expect(lines[0]).not.toMatch(/failed to initialize properly/)
    } finally {
      await run('umount', [dir])
    }
  })
})

/** Runs a command; true when it exited 0. */
function run(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(command, args, (error) => resolve(error === null))
  })
}
