import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/run-cli'

// No T3CHAT_URL: the CLI starts its own server, and its misconfigurations must name the fix.
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 't3chat-cli-embedded-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('the embedded server’s misconfigurations: one line naming the variable', () => {
  it('a DATABASE_URL nothing answers at; the detail is in server.log', async () => {
    const dataDir = join(dir, 'db')
    const result = await runCli(['list'], {
      env: { T3CHAT_DATA_DIR: dataDir, DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none' },
      timeoutMs: 60_000,
    })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(
      /^t3chat: The local server cannot use the database at DATABASE_URL \(ECONNREFUSED\)\. Fix DATABASE_URL, or unset it/,
    )
    expect(result.stderr).toContain(join(dataDir, 'server.log'))
    expect(await readFile(join(dataDir, 'server.log'), 'utf8')).toMatch(/ECONNREFUSED/)
  })

  it('an invalid DATABASE_URL', async () => {
    const result = await runCli(['list'], {
      env: { T3CHAT_DATA_DIR: join(dir, 'bad'), DATABASE_URL: 'mysql://nope' },
      timeoutMs: 60_000,
    })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(
      /^t3chat: .*DATABASE_URL.* \(for the local server\)\. Fix it or unset it/,
    )
  })

  it('a data directory that cannot be created names T3CHAT_DATA_DIR, no raw error', async () => {
    const file = join(dir, 'a-file')
    await writeFile(file, '')
    const result = await runCli(['list'], { env: { T3CHAT_DATA_DIR: join(file, 'data') } })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      `t3chat: T3CHAT_DATA_DIR=${join(file, 'data')} cannot be used (ENOTDIR): the local server keeps its database and identity there. Point T3CHAT_DATA_DIR at a writable directory, or run a server elsewhere and set T3CHAT_URL.\n`,
    )
  })
})
