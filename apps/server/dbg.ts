import { connect } from 'node:net'
import pino from 'pino'
import { mkdtempSync } from 'node:fs'
import { parseEnv } from './src/env'
import { startServer } from './src/server'
const env = parseEnv({
  HOST: '127.0.0.1',
  PORT: '0',
  T3CHAT_DATA_DIR: mkdtempSync('/tmp/dbg-'),
  HTTP_HEADERS_TIMEOUT_MS: '1000',
  HTTP_REQUEST_TIMEOUT_MS: '2000',
})
console.log(env.HTTP_HEADERS_TIMEOUT_MS)
const s = await startServer(env, pino({ level: 'silent' }))
const socket = connect(s.port, '127.0.0.1')
await new Promise<void>((resolve) => socket.once('connect', resolve))
socket.write('GET /health HTTP/1.1\r\nhost: x\r\n')
const t = Date.now()
socket.on('data', (d) => console.log('data', String(d).slice(0, 50)))
socket.on('end', () => console.log('end', Date.now() - t))
await new Promise((r) => setTimeout(r, 4000))
await s.close()
process.exit(0)
