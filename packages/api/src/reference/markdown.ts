import type { ApiDescription, JsonSchema, ProcedureDoc } from './procedures'
import { fieldRows, fieldTable, isObjectWithFields, notesText, typeText } from './schema-text'
import { TRANSPORT_NOTES } from './transport'

/** A recorded call of one procedure (docs/examples/*.json), written by the examples tests. */
export interface Example {
  input?: unknown
  /** Queries and mutations: `result.data`. */
  output?: unknown
  /** Subscriptions: the events received, in order. */
  events?: Array<{ id: string; data: unknown }>
}

/** Thrown when a procedure has no recorded example: the examples tests must call it. */
export class MissingExampleError extends Error {
  constructor(readonly paths: string[]) {
    super(
      `No recorded example for ${paths.join(', ')}: call it in a test under packages/api/test/examples/ (see docs/README.md), run that test, then \`pnpm docs\`.`,
    )
    this.name = 'MissingExampleError'
  }
}

/** Paths of procedures without an example (queries and mutations need an output, subscriptions events). */
export function missingExamples(api: ApiDescription, examples: Record<string, Example>): string[] {
  return api.procedures
    .filter((p) => {
      const example = examples[p.path]
      if (example === undefined) return true
      return p.kind === 'subscription'
        ? (example.events?.length ?? 0) === 0
        : !('output' in example)
    })
    .map((p) => p.path)
}

/** docs/api.md: every procedure, its schemas, errors, events and a real example. */
export function renderReference(api: ApiDescription, examples: Record<string, Example>): string {
  const missing = missingExamples(api, examples)
  if (missing.length > 0) throw new MissingExampleError(missing)
  const out: string[] = [
    '# t3chat API reference',
    '',
    '<!-- Generated from the router by `pnpm run docs`: do not edit. CI fails when it is stale. -->',
    '',
    'Generated from the tRPC router (`packages/api`): the procedures, their input and output',
    'schemas, the errors they declare and the events of each subscription. The examples were',
    'recorded from the real router by the tests in `packages/api/test/examples/` (ids and times',
    'replaced by stable placeholders). How to add a procedure: [README.md](README.md).',
    '',
    '## Procedures',
    '',
    '| procedure | kind | auth | what it does |',
    '| --- | --- | --- | --- |',
    ...api.procedures.map(
      (p) =>
        `| [\`${p.path}\`](#${anchor(p.path)}) | ${p.kind} | ${p.auth === 'bearer' ? 'token' : 'none'} | ${p.summary} |`,
    ),
    '',
    TRANSPORT_NOTES,
  ]
  for (const procedure of api.procedures) {
    out.push(...renderProcedure(procedure, examples[procedure.path] ?? {}))
  }
  out.push('## Types', '')
  for (const [name, schema] of Object.entries(api.definitions)) {
    out.push(`### ${name}`, '', ...renderSchema(schema), '')
  }
  return `${out.join('\n').trimEnd()}\n`
}

function renderProcedure(p: ProcedureDoc, example: Example): string[] {
  const out = [`## \`${p.path}\``, '', `${p.kind} · ${authText(p)} · ${httpText(p)}`, '', p.summary]
  if (p.description !== null) out.push('', p.description)
  out.push('', '**Input**', '', ...(p.input === null ? ['none'] : renderSchema(p.input)), '')
  if (p.output !== null) out.push('**Output**', '', ...renderSchema(p.output), '')
  if (p.events !== null) out.push('**Events** (tracked)', '', ...renderSchema(p.events), '')
  out.push('**Errors**', '', '| code | when |', '| --- | --- |')
  for (const error of p.errors) out.push(`| \`${error.code}\` | ${error.when} |`)
  out.push('', '**Example**', '', ...renderExample(p, example), '')
  return out
}

function renderSchema(schema: JsonSchema): string[] {
  if (isObjectWithFields(schema)) {
    const description = typeof schema.description === 'string' ? [schema.description, ''] : []
    return [...description, fieldTable(fieldRows(schema))]
  }
  const variants = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined
  if (Array.isArray(variants) && variants.every(isObjectWithFields)) {
    const out = typeof schema.description === 'string' ? [schema.description, ''] : []
    out.push('One of:', '')
    for (const variant of variants) {
      out.push(`- ${typeText(typeField(variant))}: ${notesText(variant)}`, '')
      out.push(fieldTable(fieldRows(variant)), '')
    }
    return out.slice(0, -1)
  }
  const notes = notesText(schema)
  return [`${typeText(schema)}${notes === '' ? '' : ` — ${notes}`}`]
}

function typeField(variant: JsonSchema): JsonSchema {
  const properties = (variant.properties ?? {}) as Record<string, JsonSchema>
  return properties.type ?? {}
}

function renderExample(p: ProcedureDoc, example: Example): string[] {
  const auth = p.auth === 'bearer' ? '\nAuthorization: Bearer <token>' : ''
  const input = example.input === undefined ? null : JSON.stringify(example.input)
  if (p.kind === 'subscription') {
    const events = (example.events ?? []).map(
      (e) => `id: ${e.id}\ndata: ${JSON.stringify(e.data)}\n`,
    )
    return [
      '```http',
      `GET /${p.path}${input === null ? '' : `?input=${input}`}${auth}`,
      'Accept: text/event-stream',
      '```',
      '',
      '```text',
      ...events,
      '```',
    ]
  }
  const request =
    p.kind === 'query'
      ? `GET /${p.path}${input === null ? '' : `?input=${input}`}${auth}`
      : `POST /${p.path}${auth}\ncontent-type: application/json\n\n${JSON.stringify(example.input ?? {}, null, 2)}`
  return [
    '```http',
    request,
    '```',
    '',
    '```json',
    JSON.stringify({ result: { data: example.output } }, null, 2),
    '```',
  ]
}

function authText(p: ProcedureDoc): string {
  return p.auth === 'bearer' ? 'needs a token' : 'no auth'
}

function httpText(p: ProcedureDoc): string {
  if (p.kind === 'subscription') return `SSE \`GET /${p.path}\` or WebSocket`
  return p.kind === 'query' ? `\`GET /${p.path}\`` : `\`POST /${p.path}\``
}

/** GitHub's heading anchor for "`a.b`". */
function anchor(path: string): string {
  return path.toLowerCase().replace(/[^a-z0-9 -]/g, '')
}
