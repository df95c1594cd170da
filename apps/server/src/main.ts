import cluster from 'node:cluster'
import { EnvError, parseEnv } from './env'
import { runInstance } from './instance'
import { createLogger } from './logger'

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

const logger = createLogger(env.LOG_LEVEL, undefined, process.stdout.isTTY)

// The primary of several workers needs Redis (and its client); one process loads neither.
if (env.WORKERS > 1 && cluster.isPrimary)
  await (await import('./cluster')).runPrimary(env, logger, fail)
else await runInstance(env, logger, fail, cluster.isWorker)
