// Child process: the Redis hub behind a bare WebSocket server — no tRPC, no middleware, no
// auth, only `hub.attach` — in a process as idle as the other instance of the Redis scenario.
// A message `{ messageId, offset }` is answered with the answer's first frame (JSON), as a
// resume on that instance would be: what the machine and the hub allow, without the API. The
// message `echo` comes straight back: the machine's share alone.
import type { AddressInfo } from 'node:net'
import { createRedisHub } from '@t3chat/api'
import { Redis } from 'ioredis'
import pino from 'pino'
import { WebSocketServer } from 'ws'
import { firstFrameOf } from './first-frame'

const url = process.env.BARE_REDIS_URL
const keyPrefix = process.env.BARE_KEY_PREFIX
if (url === undefined || keyPrefix === undefined)
  throw new Error('BARE_REDIS_URL and BARE_KEY_PREFIX are required')

const redis = new Redis(url)
const hub = createRedisHub({
  redis,
  keyPrefix,
  frameIntervalMs: 50,
  logger: pino({ level: 'silent' }),
})
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })

async function firstFrame(request: string): Promise<string> {
  const { messageId, offset } = JSON.parse(request) as { messageId: string; offset: number }
  return JSON.stringify(await firstFrameOf(hub, messageId, offset))
}

wss.on('connection', (socket) => {
  socket.on('message', (data: Buffer) => {
    const request = data.toString('utf8')
    // The machine's share alone: a message to this idle process and back.
    if (request === 'echo') return socket.send(request)
    firstFrame(request).then(
      (reply) => socket.send(reply),
      () => socket.send('null'),
    )
  })
})
wss.on('listening', () => {
  process.send?.({ type: 'ready', port: (wss.address() as AddressInfo).port })
})

let closing = false
function close(): void {
  if (closing) return
  closing = true
  wss.close()
  void hub
    .close()
    .finally(() => redis.disconnect())
    .finally(() => process.exit(0))
}
process.on('disconnect', close)
process.on('SIGTERM', close)
process.on('SIGINT', close)
