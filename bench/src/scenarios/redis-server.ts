// A private redis-server for the Redis scenario: its own port, no persistence, so INFO
// counts only what the scenario does.
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { spawnLogged, stop, withTimeout } from '../children'
import { sleep } from './streams'

export interface PrivateRedis {
  port: number
  url: string
  version: string
  /** Calls per command so far (INFO commandstats), the scenario's own INFO calls left out. */
  commandCalls(): Promise<Map<string, number>>
  /** INFO memory used_memory, bytes. */
  usedMemory(): Promise<number>
  stop(): Promise<void>
}

const cli = (port: number, ...args: string[]) =>
  new Promise<string>((resolve, reject) => {
    execFile('redis-cli', ['-p', String(port), ...args], (error, stdout) => {
      if (error) reject(new Error(`redis-cli ${args.join(' ')}: ${error.message}`))
      else resolve(stdout)
    })
  })

/** INFO <section> as name → value. */
async function info(port: number, section: string): Promise<Map<string, string>> {
  const text = await cli(port, 'info', section)
  const fields = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':')
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1))
  }
  return fields
}

/** Calls per command so far (INFO commandstats), the INFO calls of this scenario left out. */
async function commandCalls(port: number): Promise<Map<string, number>> {
  const calls = new Map<string, number>()
  for (const [key, value] of await info(port, 'commandstats')) {
    const command = key.replace(/^cmdstat_/, '')
    if (command === 'info') continue
    calls.set(command, Number(/calls=(\d+)/.exec(value)?.[1] ?? 0))
  }
  return calls
}

const usedMemory = async (port: number) => Number((await info(port, 'memory')).get('used_memory'))

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return typeof address === 'object' && address !== null ? address.port : 0
}

/** True when redis-server and redis-cli can be run here. */
export async function redisAvailable(): Promise<boolean> {
  return new Promise((resolve) =>
    execFile('redis-server', ['--version'], (error) => resolve(error === null)),
  )
}

/** Starts `redis-server` on a free loopback port and waits until it answers. */
export async function startRedis(logFile: string): Promise<PrivateRedis> {
  const port = await freePort()
  const child = spawnLogged(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { cwd: process.cwd(), env: { PATH: process.env.PATH }, logFile },
  )
  try {
    await withTimeout(
      (async () => {
        while ((await cli(port, 'ping').catch(() => '')).trim() !== 'PONG') await sleep(50)
      })(),
      10_000,
      'redis-server start-up',
    )
  } catch (error) {
    await stop(child)
    throw error
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    version: (await info(port, 'server')).get('redis_version') ?? 'unknown',
    commandCalls: () => commandCalls(port),
    usedMemory: () => usedMemory(port),
    stop: () => stop(child),
  }
}
