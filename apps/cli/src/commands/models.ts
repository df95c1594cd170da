import type { Command } from '../args'
import { openSession } from '../connect/session'
import type { CliEnv } from '../config/env'
import { truncate } from '../format/text'
import { filterModels, formatContext } from '../format/models'
import { paint } from './paint'

/** `t3chat models [query]`: the model catalog, filtered by id or name. */
export async function models(
  command: Extract<Command, { name: 'models' }>,
  env: CliEnv,
): Promise<number> {
  const session = await openSession(env, command.global)
  try {
    const { models: all } = await session.client.model.list.query()
    const matches = filterModels(all, command.query ?? '')
    if (command.json) {
      process.stdout.write(`${JSON.stringify({ models: matches })}\n`)
      return 0
    }
    if (matches.length === 0) {
      process.stderr.write(
        `No model matches "${command.query ?? ''}" (${all.length} models in the catalog).\n`,
      )
      return 1
    }
    const p = paint(process.stdout, env.noColor)
    const idWidth = Math.min(48, Math.max(...matches.map((model) => model.id.length)))
    for (const model of matches) {
      const context = model.contextLength
        ? formatContext(model.contextLength).padStart(6)
        : '     ?'
      const price = model.pricing
        ? `$${perMillion(model.pricing.prompt)} / $${perMillion(model.pricing.completion)} per 1M`
        : ''
      process.stdout.write(
        `${p.cyan(truncate(model.id, idWidth).padEnd(idWidth))}  ${context}  ${p.dim(truncate(model.name, 40).padEnd(40))}  ${price}\n`,
      )
    }
    return 0
  } finally {
    await session.close()
  }
}

function perMillion(price: string): string {
  const value = Number(price) * 1_000_000
  return Number.isFinite(value) ? String(Number(value.toPrecision(3))) : '?'
}
