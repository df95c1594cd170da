import cluster, { type Worker } from 'node:cluster'
import type { Logger } from 'pino'
import type { Env } from './env'
import { banner } from './instance'
import { connectRedis, RedisUnreachableError } from './redis'

/**
 * `WORKERS=N`: this primary forks N server processes sharing the port (node:cluster). It
 * serves nothing itself. SIGTERM or SIGINT to the primary alone stops every worker gracefully
 * (containers signal only PID 1) and exits once they all have; a worker that dies otherwise
 * is replaced.
 */
export async function runPrimary(
  env: Readonly<Env>,
  logger: Logger,
  fail: (message: string) => never,
): Promise<void> {
  // An unreachable Redis stops the start here, once, rather than in N workers.
  try {
    const redis = await connectRedis(env.REDIS_URL ?? '', logger)
    await redis.quit()
  } catch (error) {
    fail(error instanceof RedisUnreachableError ? error.message : String(error))
  }
  let stopping = false
  let announced = false
  const fork = () => cluster.fork()
  cluster.on('listening', (_worker: Worker, address) => {
    if (announced) return
    announced = true
    const host = address.address?.includes(':')
      ? `[${address.address}]`
      : (address.address ?? env.HOST)
    process.stdout.write(banner(env, `http://${host}:${address.port}`))
  })
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
      return
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another')
    fork()
  })
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    logger.info({ signal, workers: env.WORKERS }, 'shutting down all workers')
    const workers = Object.values(cluster.workers ?? {})
    if (workers.length === 0) process.exit(0)
    for (const worker of workers) worker?.process.kill('SIGTERM')
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  for (let i = 0; i < env.WORKERS; i++) fork()
}
