import type { ChainableCommander } from 'ioredis'

/**
 * Runs a pipeline (one round trip, not a transaction: nothing here needs one) and throws the
 * first failed command's error, as pipelines report them per command; else the commands'
 * results, in order.
 */
export async function runPipeline(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? []
  const error = results.find(([failed]) => failed !== null)?.[0]
  if (error) throw error
  return results.map(([, result]) => result)
}
