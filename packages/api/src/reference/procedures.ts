import type { AnyTRPCRouter } from '@trpc/server'
import { z } from 'zod'
import type { DeclarableErrorCode, ProcedureMeta } from './meta'

/** A JSON Schema (draft 2020-12) as zod 4 writes it. */
export type JsonSchema = Record<string, unknown>

/** One procedure as the reference and OpenAPI describe it. */
export interface ProcedureDoc {
  path: string
  kind: 'query' | 'mutation' | 'subscription'
  auth: 'bearer' | 'none'
  summary: string
  description: string | null
  /** null: the procedure takes no input. */
  input: JsonSchema | null
  /** Queries and mutations: what `result.data` holds. */
  output: JsonSchema | null
  /** Subscriptions: each event's `data`. */
  events: JsonSchema | null
  /** Every error code the procedure can return, with when, in a stable order. */
  errors: Array<{ code: string; when: string }>
}

/** The router with every procedure's JSON Schemas; named shapes are shared `definitions`. */
export interface ApiDescription {
  procedures: ProcedureDoc[]
  /** Named shapes (`.meta({ id })`), referenced as `#/definitions/<id>` in the schemas above. */
  definitions: Record<string, JsonSchema>
}

/** A procedure that does not document itself; the message says what to add. */
export class UndocumentedProcedureError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The API reference is generated from the router, so every procedure documents itself (see "How to add a procedure" in docs/README.md):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    )
    this.name = 'UndocumentedProcedureError'
  }
}

export const DEFINITIONS_PREFIX = '#/definitions/'

const ERROR_ORDER: readonly string[] = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'PAYMENT_REQUIRED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'TOO_MANY_REQUESTS',
  'INTERNAL_SERVER_ERROR',
  'SERVICE_UNAVAILABLE',
]

interface ProcedureDef {
  type: 'query' | 'mutation' | 'subscription'
  meta?: ProcedureMeta
  inputs: unknown[]
  output?: unknown
}

/** The event schemas the router's subscriptions declare (`.meta({ events })`). */
export function eventSchemasOf(router: AnyTRPCRouter): z.ZodType[] {
  return Object.values(router._def.procedures as Record<string, { _def: ProcedureDef }>).flatMap(
    (procedure) => procedure._def.meta?.events ?? [],
  )
}

/**
 * Reads every procedure of `router` with its `.meta()` docs and its input/output schemas as
 * JSON Schema. Throws {@link UndocumentedProcedureError} listing every procedure that lacks a
 * summary, error declarations, an output schema (queries and mutations) or an events schema
 * (subscriptions) — so a procedure cannot be added without documenting it.
 */
export function describeApi(router: AnyTRPCRouter): ApiDescription {
  const problems: string[] = []
  const definitions: Record<string, JsonSchema> = {}
  const procedures: ProcedureDoc[] = []
  const entries = Object.entries(router._def.procedures as Record<string, { _def: ProcedureDef }>)
  for (const [path, procedure] of entries.sort(([a], [b]) => a.localeCompare(b))) {
    const def = procedure._def
    const meta = def.meta ?? {}
    const need = (what: string) => problems.push(`${path}: ${what}`)
    if (meta.summary === undefined || meta.summary.trim() === '')
      need('add `.meta({ summary })`: one sentence on what it does')
    if (meta.errors === undefined)
      need(
        'add `.meta({ errors })`: each error code it returns on purpose, with when (`{}` if none)',
      )
    if (def.inputs.length > 1) need('one `.input()` only (the reference shows a single schema)')
    const inputSchema = def.inputs[0]
    if (inputSchema !== undefined && !(inputSchema instanceof z.ZodType))
      need('its input must be a zod schema')
    let output: JsonSchema | null = null
    let events: JsonSchema | null = null
    if (def.type === 'subscription') {
      if (meta.events === undefined) need('add `.meta({ events })`: the zod schema of its events')
      else events = toJsonSchema(meta.events, 'output', definitions, path)
    } else if (!(def.output instanceof z.ZodType)) {
      need('add `.output(schema)` (a zod schema from shapes.ts)')
    } else {
      output = toJsonSchema(def.output, 'output', definitions, path)
    }
    const input =
      inputSchema instanceof z.ZodType
        ? toJsonSchema(inputSchema, 'input', definitions, path)
        : null
    const auth = meta.auth ?? 'none'
    procedures.push({
      path,
      kind: def.type,
      auth,
      summary: meta.summary ?? '',
      description: meta.description ?? null,
      input,
      output,
      events,
      errors: errorsOf(meta.errors ?? {}, { auth, hasInput: input !== null }),
    })
  }
  if (problems.length > 0) throw new UndocumentedProcedureError(problems)
  return { procedures, definitions: sortKeys(definitions) }
}

/** The declared errors plus the ones every call of that kind can get. */
function errorsOf(
  declared: Partial<Record<DeclarableErrorCode, string>>,
  opts: { auth: 'bearer' | 'none'; hasInput: boolean },
): Array<{ code: string; when: string }> {
  const all = new Map<string, string[]>()
  const add = (code: string, when: string) => all.set(code, [...(all.get(code) ?? []), when])
  if (opts.hasInput) {
    add('BAD_REQUEST', 'the input does not match the schema (the message names the field)')
    add('PAYLOAD_TOO_LARGE', 'a string or the request body is over its limit')
  }
  if (opts.auth === 'bearer') {
    add('UNAUTHORIZED', 'missing, invalid or expired token')
    add('TOO_MANY_REQUESTS', 'over a per-user rate limit (`data.retryAfterMs` says when to retry)')
  }
  for (const [code, when] of Object.entries(declared)) add(code, when)
  add('INTERNAL_SERVER_ERROR', 'anything unexpected (no details; the server logs them)')
  add(
    'SERVICE_UNAVAILABLE',
    'the server’s disk is full (embedded database): the server stops, and answers again once restarted with space',
  )
  return [...all]
    .map(([code, whens]) => ({ code, when: whens.join('; ') }))
    .sort((a, b) => rank(a.code) - rank(b.code))
}

function rank(code: string): number {
  const index = ERROR_ORDER.indexOf(code)
  return index === -1 ? ERROR_ORDER.length : index
}

/**
 * zod 4's JSON Schema, with named shapes moved to the shared `definitions` (an id used twice
 * must mean the same schema) and refs pointing there.
 */
function toJsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  definitions: Record<string, JsonSchema>,
  path: string,
): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'throw' }) as JsonSchema
  const { $schema: _schema, $defs, ...rest } = json
  for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    const fixed = retarget(def)
    const existing = definitions[id]
    if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(fixed))
      throw new Error(`${path}: two different schemas are named "${id}" (as ${io})`)
    definitions[id] = fixed
  }
  return retarget(rest)
}

/**
 * Points `$defs` refs at the shared definitions, and drops `additionalProperties: false`:
 * responses may gain fields (the contract allows adding them), so clients must not refuse them.
 */
function retarget(schema: JsonSchema): JsonSchema {
  return mapSchema(schema, (key, value) =>
    key === '$ref' && typeof value === 'string'
      ? value.replace('#/$defs/', DEFINITIONS_PREFIX)
      : key === 'additionalProperties' && value === false
        ? undefined
        : value,
  )
}

/**
 * Rewrites every key/value of a JSON Schema, depth first; `undefined` drops the key.
 * The reference and OpenAPI use it to point refs elsewhere.
 */
export function mapSchema(
  schema: JsonSchema,
  fn: (key: string, value: unknown) => unknown,
): JsonSchema {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk)
    if (typeof value !== 'object' || value === null) return value
    const out: JsonSchema = {}
    for (const [key, inner] of Object.entries(value)) {
      const mapped = fn(key, walk(inner))
      if (mapped !== undefined) out[key] = mapped
    }
    return out
  }
  return walk(schema) as JsonSchema
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)))
}
