import cluster from 'node:cluster'
import pino from 'pino'
import { runPrimary } from './cluster'
import { EnvError, parseEnv } from './env'
import { runInstance } from './instance'

function fail(message: string): never {
  process.stderr.write(`t3chat: ${message}\n`)
  process.exit(1)
}

let env
try {
  env = parseEnv(process.env)
} catch (error) {
  fail(error instanceof EnvError ? error.message : String(error))
}

const logger = pino({
  level: env.LOG_LEVEL,
  redact: { paths: ['req.headers.authorization', '*.token', '*.apiKey'], remove: true },
  ...(process.stdout.isTTY
    ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname' } } }
    : {}),
})

if (env.WORKERS > 1 && cluster.isPrimary) await runPrimary(env, logger, fail)
else await runInstance(env, logger, fail, cluster.isWorker)
