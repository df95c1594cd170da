import { resolve } from 'node:path'
import { expect } from 'vitest'
import type { Example } from '../../src/reference'

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
export const EXAMPLE_TIME = '2026-01-01T12:00:00.000Z'

/**
 * Records real calls as the reference's examples (docs/examples/<name>.json). Ids become
 * stable placeholders numbered by first appearance and times one fixed time, so the file only
 * changes when the API does. `save()` compares with the committed file (CI fails on a
 * difference; locally `vitest -u` rewrites it), and `pnpm docs` renders it into docs/api.md.
 *
 * @example
 * const examples = recordExamples('core')
 * const input = { title: 'Trip' }
 * examples.add('conversation.create', { input, output: await caller.conversation.create(input) })
 * await examples.save()
 */
export function recordExamples(name: string) {
  const recorded: Record<string, Example> = {}
  const ids = new Map<string, string>()
  const placeholder = (id: string) => {
    let stable = ids.get(id)
    if (stable === undefined) {
      stable = `00000000-0000-4000-8000-${String(ids.size + 1).padStart(12, '0')}`
      ids.set(id, stable)
    }
    return stable
  }
  const normalise = (value: unknown): unknown => {
    if (typeof value === 'string')
      return ISO.test(value) ? EXAMPLE_TIME : value.replace(UUID, placeholder)
    if (Array.isArray(value)) return value.map(normalise)
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]))
    return value
  }
  /** Records one call; a second example of the same path is a mistake. */
  const add = (path: string, example: Example): void => {
    if (path in recorded) throw new Error(`a second example for ${path}`)
    recorded[path] = normalise(example) as Example
  }
  return {
    add,
    /** Runs one call and records it (without `input` when the procedure takes none). */
    async call<I, O>(
      this: void,
      path: string,
      input: I,
      run: (input: I) => Promise<O>,
    ): Promise<O> {
      const output = await run(input)
      add(path, input === undefined ? { output } : { input, output })
      return output
    },
    async save(): Promise<void> {
      const sorted = Object.fromEntries(
        Object.entries(recorded).sort(([a], [b]) => a.localeCompare(b)),
      )
      await expect(`${JSON.stringify(sorted, null, 2)}\n`).toMatchFileSnapshot(
        resolve(import.meta.dirname, `../../../../docs/examples/${name}.json`),
      )
    },
  }
}
