import pino, { type DestinationStream, type Logger } from 'pino'
import type { Env } from './env'

// What a database error carries besides its message: the statement's parameters (message text,
// prompts, preferences), the statement, and Postgres' `detail` ("Failing row contains (…)").
const DROPPED = ['params', 'query', 'queryOptions', 'detail', 'where', 'internalQuery', 'hint']
// A quoted value in a database message ('invalid input syntax for type integer: "…"'), unless
// it names a relation, column, constraint or type.
const QUOTED_VALUE =
  /(?<!\b(?:relation|column|constraint|table|index|type|function|schema|database|role|extension) )"[^"]*"/g

type Serialized = Record<string, unknown>

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 5) return value
  const out: Serialized = { ...(value as Serialized) }
  const fromDatabase = typeof out.severity === 'string' || 'params' in out
  for (const key of DROPPED) delete out[key]
  if (fromDatabase) {
    for (const key of ['message', 'stack'] as const) {
      const text = out[key]
      if (typeof text === 'string') out[key] = text.replace(QUOTED_VALUE, '"…"')
    }
  }
  if (out.cause !== undefined) out.cause = scrub(out.cause, depth + 1)
  return out
}

/**
 * pino's error serializer minus whatever can hold a user's words: statement parameters,
 * statements, Postgres' `detail`, and quoted values in database messages. Error logs keep
 * the type, code, constraint and stack.
 */
export function errorSerializer(error: unknown): unknown {
  return scrub(error instanceof Error ? pino.stdSerializers.errWithCause(error) : error)
}

/**
 * The server's logger. No token and no message text, prompt or preference value in any line
 * (calls log their path, timing and code; errors go through {@link errorSerializer}).
 */
export function createLogger(
  level: Env['LOG_LEVEL'],
  destination?: DestinationStream,
  pretty = false,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: ['req.headers.authorization', '*.token', '*.apiKey'], remove: true },
    serializers: { err: errorSerializer },
    ...(pretty && destination === undefined
      ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname' } } }
      : {}),
  }
  return destination === undefined ? pino(options) : pino(options, destination)
}
