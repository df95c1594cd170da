import { createLogger } from './logger'
import { startFakeUpstream } from '@t3chat/llm/fake'
import { EnvError, parseEnv } from './env'
import { startServer } from './server'

// The whole flow without a key or a network: a fake OpenRouter on loopback, and the server
// pointed at it. Models: fake/echo, fake/slow, fake/lorem, fake/error:status=429 … (see model.list).
try {
  const fake = await startFakeUpstream({ port: Number(process.env.FAKE_PORT ?? 0) })
  const env = parseEnv({
    DEFAULT_MODEL: 'fake/slow',
    TITLE_MODEL: 'fake/title:text=Offline%20demo',
    ...process.env,
    OPENROUTER_API_KEY: 'fake-key',
    OPENROUTER_BASE_URL: fake.baseURL,
  })
  const logger = createLogger(env.LOG_LEVEL)
  const server = await startServer(env, logger)
  process.stdout.write(
    `t3chat (fake upstream at ${fake.baseURL}) is listening on ${server.url}\nConnect: T3CHAT_URL=${server.url} T3CHAT_DATA_DIR=${env.dataDir} pnpm -s chat\n`,
  )
  const stop = () => {
    void server
      .close()
      .then(() => fake.close())
      .then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
} catch (error) {
  process.stderr.write(
    `t3chat: ${error instanceof EnvError || error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
}
