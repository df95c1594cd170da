import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { deltaText, eventually, finalMessage, unsubscribeAll } from './support/recording'
import { startTestServer, type TestServer } from './support/test-server'
import { sendAndStream, streamOf } from './support/wire'

// Fault injection: a private Postgres (initdb/pg_ctl as user postgres, its own port) stopped
// in the middle of an answer and started again. Regression: the final save failed, the row
// stayed `streaming`, the conversation answered CONFLICT forever and new subscribers hung.

const run = (command: string, args: string[]) =>
  new Promise<{ ok: boolean; output: string }>((resolve) => {
    execFile(command, args, (error, stdout, stderr) =>
      resolve({ ok: error === null, output: `${stdout}${stderr}` }),
    )
  })
const asPostgres = (...args: string[]) => run('runuser', ['-u', 'postgres', '--', ...args])

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return typeof address === 'object' && address !== null ? address.port : 0
}

let dir = ''
let port = 0
let unavailable: string | null = null
let ts: TestServer | null = null
const pgctl = (action: 'start' | 'stop') =>
  asPostgres(
    'pg_ctl',
    '-D',
    join(dir, 'data'),
    '-w',
    ...(action === 'start'
      ? [
          '-o',
          `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
          '-l',
          join(dir, 'log'),
          'start',
        ]
      : ['-m', 'fast', 'stop']),
  )

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 't3chat-pg-fault-'))
  await chmod(dir, 0o777)
  port = await freePort()
  const init = await asPostgres('initdb', '-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust')
  if (!init.ok) {
    unavailable = `initdb as postgres failed: ${init.output.slice(0, 200)}`
    return
  }
  const started = await pgctl('start')
  if (!started.ok) {
    unavailable = `pg_ctl start failed: ${started.output.slice(0, 200)}`
    return
  }
  ts = await startTestServer({
    DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`,
    CHECKPOINT_INTERVAL_MS: '100000',
  })
}, 120_000)
afterEach(() => unsubscribeAll())
afterAll(async () => {
  await ts?.close()
  if (dir !== '') {
    await pgctl('stop')
    await rm(dir, { recursive: true, force: true })
  }
})

describe('Postgres stops in the middle of an answer', () => {
  it('subscribers get a final; once Postgres is back the row holds that text and the conversation is free', async (ctx) => {
    if (ts === null) return ctx.skip(unavailable ?? 'no private Postgres')
    const server = ts
    const client = server.client('sse', await server.token())
    const sent = await client.chat.send.mutate({
      clientMessageId: randomUUID(),
      content: 'go',
      model: 'fake/slow:tokens=60,delay=50',
    })
    const stream = streamOf(client, sent.assistantMessage.id)
    await stream.waitFor((e) => e.data.type === 'delta')
    expect((await pgctl('stop')).ok).toBe(true)
    await stream.settled(30_000)
    const final = finalMessage(stream.events)
    expect(final?.status).toBe('completed')
    const seen = deltaText(stream.events)
    expect(final?.content).toBe(seen)

    expect((await pgctl('start')).ok).toBe(true)
    const stored = await eventually(async () => {
      const row = await server.db
        .selectFrom('messages')
        .select(['content', 'status'])
        .where('id', '=', sent.assistantMessage.id)
        .executeTakeFirst()
        .catch(() => undefined)
      return row?.status === 'completed' ? row : undefined
    }, 30_000)
    expect(stored.content).toBe(seen)
    // The conversation takes the next turn.
    const next = await sendAndStream(client, {
      conversationId: sent.assistantMessage.conversationId,
      clientMessageId: randomUUID(),
      content: 'again',
      model: 'fake/echo',
    })
    await next.stream.settled()
    expect(finalMessage(next.stream.events)?.status).toBe('completed')
  }, 120_000)
})
