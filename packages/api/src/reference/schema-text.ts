import { DEFINITIONS_PREFIX, type JsonSchema } from './procedures'

/** One row of a field table: `usage.promptTokens`, its type, and what limits it. */
export interface FieldRow {
  name: string
  type: string
  required: boolean
  notes: string
}

const SAFE_INT = Number.MAX_SAFE_INTEGER
const UUID_FORMAT = 'uuid'

/** A short TypeScript-like type of a JSON Schema, with named shapes as links. */
export function typeText(schema: JsonSchema): string {
  const ref = schema.$ref
  if (typeof ref === 'string') {
    const name = ref.replace(DEFINITIONS_PREFIX, '')
    return `[${name}](#${name.toLowerCase()})`
  }
  if ('const' in schema) return JSON.stringify(schema.const)
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' \\| ')
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined
  if (Array.isArray(union)) return union.map(typeText).join(' \\| ')
  const type = schema.type
  if (Array.isArray(type)) return type.map((t) => typeText({ ...schema, type: t })).join(' \\| ')
  switch (type) {
    case 'string':
      return schema.format === UUID_FORMAT
        ? 'uuid'
        : schema.format === 'date-time'
          ? 'ISO time'
          : 'string'
    case 'integer':
    case 'number':
    case 'boolean':
    case 'null':
      return type
    case 'array': {
      const items = schema.items as JsonSchema | undefined
      if (Array.isArray(schema.prefixItems))
        return `[${(schema.prefixItems as JsonSchema[]).map(typeText).join(', ')}]`
      const inner = items === undefined ? 'unknown' : typeText(items)
      return inner.includes(' ') ? `Array<${inner}>` : `${inner}[]`
    }
    case 'object': {
      if (isRecord(schema)) {
        const values = schema.additionalProperties as JsonSchema
        return `Record<string, ${Object.keys(values).length === 0 ? 'unknown' : typeText(values)}>`
      }
      return 'object'
    }
    default:
      return 'unknown'
  }
}

/** Limits, default, pattern and description of a field, as one short line. */
export function notesText(schema: JsonSchema): string {
  const notes: string[] = []
  const base = nonNullPart(schema)
  const range = (min: unknown, max: unknown, unit: string) => {
    const lo = typeof min === 'number' && Math.abs(min) < SAFE_INT ? min : null
    const hi = typeof max === 'number' && Math.abs(max) < SAFE_INT ? max : null
    if (lo !== null && hi !== null) notes.push(`${lo}..${hi}${unit}`)
    else if (lo !== null) notes.push(`≥ ${lo}${unit}`)
    else if (hi !== null) notes.push(`≤ ${hi}${unit}`)
  }
  range(base.minLength, base.maxLength, ' chars')
  range(base.minimum, base.maximum, '')
  range(base.minItems, base.maxItems, ' items')
  if (typeof base.pattern === 'string' && base.format === undefined)
    notes.push(`matches \`${base.pattern}\``)
  if ('default' in schema) notes.push(`default \`${JSON.stringify(schema.default)}\``)
  const description = schema.description ?? base.description
  if (typeof description === 'string') notes.push(description)
  return notes.join('; ').replaceAll('|', '\\|').replaceAll('\n', ' ')
}

/**
 * The rows of an object schema; nested anonymous objects are flattened to dotted names
 * (`usage.cost`), named shapes stay links.
 */
export function fieldRows(schema: JsonSchema, prefix = ''): FieldRow[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : [])
  const rows: FieldRow[] = []
  for (const [key, property] of Object.entries(properties)) {
    const name = `${prefix}${key}`
    const base = nonNullPart(property)
    const nested = base.type === 'object' && base.properties !== undefined
    rows.push({
      name,
      type: nested ? (base === property ? 'object' : 'object \\| null') : typeText(property),
      required: required.has(key),
      notes: notesText(property),
    })
    if (nested) rows.push(...fieldRows(base, `${name}.`))
  }
  return rows
}

/** A markdown table of `fieldRows`. */
export function fieldTable(rows: FieldRow[]): string {
  const lines = ['| field | type | required | notes |', '| --- | --- | --- | --- |']
  for (const row of rows)
    lines.push(`| \`${row.name}\` | ${row.type} | ${row.required ? 'yes' : 'no'} | ${row.notes} |`)
  return lines.join('\n')
}

/** Whether a schema is an object with named properties (shown as a table). */
export function isObjectWithFields(schema: JsonSchema): boolean {
  return schema.type === 'object' && schema.properties !== undefined
}

function isRecord(schema: JsonSchema): boolean {
  return schema.properties === undefined && typeof schema.additionalProperties === 'object'
}

/** `T | null` → T (for limits and nested fields). */
function nonNullPart(schema: JsonSchema): JsonSchema {
  const union = schema.anyOf as JsonSchema[] | undefined
  if (Array.isArray(union)) {
    const rest = union.filter((s) => s.type !== 'null')
    if (rest.length === 1 && rest[0] !== undefined) return rest[0]
  }
  return schema
}
