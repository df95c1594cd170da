import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, statfs, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { killChildren, spawnServer, type ChildServer } from './support/child-server'

// The embedded database on a full disk, on a small tmpfs of its own. Regression: after
// "No space left on device" in PGlite's write-ahead log the server answered nothing, spun at
// ~87% CPU and ignored SIGTERM (only kill -9 ended it).

const run = (command: string, args: string[]) =>
  new Promise<{ ok: boolean; output: string }>((resolve) => {
    execFile(command, args, (error, stdout, stderr) =>
      resolve({ ok: error === null, output: `${stdout}${stderr}` }),
    )
  })

let root = ''
let mountPoint = ''
let unavailable: string | null = null

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 't3chat-disk-full-'))
  mountPoint = join(root, 'disk')
  await mkdir(mountPoint)
  if (process.getuid?.() !== 0) {
    unavailable = 'mounting a tmpfs needs root'
    return
  }
  const mounted = await run('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mountPoint])
  if (!mounted.ok) unavailable = `mount -t tmpfs is not permitted here: ${mounted.output.trim()}`
}, 30_000)

afterAll(async () => {
  await killChildren()
  if (unavailable === null) await run('umount', [mountPoint])
  await rm(root, { recursive: true, force: true })
})

async function call(server: ChildServer, token: string, path: string, input?: unknown) {
  const response = await fetch(`${server.url}/${path}`, {
    method: input === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(input === undefined ? {} : { body: JSON.stringify(input) }),
  })
  const text = await response.text()
  return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> }
}

describe('embedded database on a full disk', () => {
  it('answers a clear error, never spins, exits naming the data dir; starts again once there is space', async (ctx) => {
    if (unavailable !== null) return ctx.skip(unavailable)
    const dataDir = join(mountPoint, 'data')
    const token = await mintLocalToken(await loadOrCreateLocalAuth(dataDir))
    const env = { T3CHAT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }
    const server = await spawnServer(env, 120_000)
    const kept = await call(server, token, 'conversation.create', {
      title: 'before the disk filled',
    })
    expect(kept.status).toBe(200)

    // Everything but 64 KiB goes to a filler file; then conversations with big system prompts.
    const free = async () => {
      const s = await statfs(mountPoint)
      return s.bavail * s.bsize
    }
    const filler = join(mountPoint, 'filler')
    await writeFile(filler, Buffer.alloc((await free()) - 64 * 1024))
    let failed: Awaited<ReturnType<typeof call>> | null = null
    for (let i = 0; i < 100 && failed === null; i++) {
      const systemPrompt = randomBytes(15_000).toString('base64')
      const created = await call(server, token, 'conversation.create', { systemPrompt })
      if (created.status !== 200) failed = created
    }
    const failedAt = performance.now()
    expect(failed?.status).toBe(503)
    expect(failed?.body).toMatchObject({
      error: {
        message: "The server's disk is full; try again later.",
        data: { code: 'SERVICE_UNAVAILABLE' },
      },
    })
    expect(failed?.text).not.toContain(mountPoint)

    // Health is never ok now: an error, or no answer once the server has stopped.
    const health = await call(server, token, 'health').catch(() => null)
    if (health !== null)
      expect(health.body).toMatchObject({ error: { data: { code: 'SERVICE_UNAVAILABLE' } } })

    // It stops by itself, and a SIGTERM meanwhile is no problem: the event loop is free.
    server.process.kill('SIGTERM')
    const exit = await server.exited
    expect(performance.now() - failedAt).toBeLessThan(15_000)
    expect(exit.code).toBe(1)
    expect(server.stderr()).toContain(
      `t3chat: the embedded database in ${join(dataDir, 'db')} ran out of disk space`,
    )
    expect(server.stderr()).toContain('T3CHAT_DATA_DIR')

    // Space again: the next start recovers the database, with what was committed.
    await rm(filler)
    const again = await spawnServer(env, 120_000)
    expect((await call(again, token, 'health')).body).toMatchObject({
      result: { data: { status: 'ok', db: 'ok' } },
    })
    const id = (kept.body as { result: { data: { id: string } } }).result.data.id
    const found = await call(
      again,
      token,
      `conversation.get?input=${encodeURIComponent(JSON.stringify({ id }))}`,
    )
    expect(found.body).toMatchObject({ result: { data: { id, title: 'before the disk filled' } } })
    expect((await call(again, token, 'conversation.create', { title: 'after' })).status).toBe(200)
    again.process.kill('SIGTERM')
    expect((await again.exited).code).toBe(0)
  }, 400_000)
})
