import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { initTRPC } from '@trpc/server'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { appRouter, defaultApiConfig, type ProcedureMeta } from '../src/index'
import {
  describeApi,
  missingExamples,
  openApiDocument,
  renderReference,
  UndocumentedProcedureError,
  type Example,
} from '../src/reference'

const docs = resolve(import.meta.dirname, '../../../docs')

async function committedExamples(): Promise<Record<string, Example>> {
  const dir = join(docs, 'examples')
  const all: Record<string, Example> = {}
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')))
    Object.assign(all, JSON.parse(await readFile(join(dir, file), 'utf8')) as object)
  return all
}

describe('the API reference', () => {
  it('documents every procedure: summary, errors, input, output or events, and an example', async () => {
    const api = describeApi(appRouter) // throws, naming what is missing
    expect(api.procedures.map((p) => p.path)).toEqual(
      Object.keys(appRouter._def.procedures).sort((a, b) => a.localeCompare(b)),
    )
    for (const p of api.procedures) {
      expect(p.kind === 'subscription' ? p.events : p.output, p.path).not.toBeNull()
      expect(
        p.errors.map((e) => e.code),
        p.path,
      ).toContain('INTERNAL_SERVER_ERROR')
    }
    expect(missingExamples(api, await committedExamples())).toEqual([])
  })

  it('docs/api.md and docs/openapi.json are what `pnpm run docs` writes now', async () => {
    const api = describeApi(appRouter)
    const markdown = renderReference(api, await committedExamples())
    expect(await readFile(join(docs, 'api.md'), 'utf8')).toBe(markdown)
    const openapi = openApiDocument(appRouter, {
      version: defaultApiConfig.version,
      description: api,
    })
    expect(JSON.parse(await readFile(join(docs, 'openapi.json'), 'utf8'))).toEqual(openapi)
  })

  it('refuses a procedure without docs, naming each missing piece', () => {
    const t = initTRPC.meta<ProcedureMeta>().create()
    const undocumented = t.router({
      bare: t.procedure.input(z.object({ q: z.string() })).query(() => 'x'),
      feed: t.procedure.meta({ summary: 'A feed.', errors: {} }).subscription(async function* () {
        yield await Promise.resolve(1)
      }),
      fine: t.procedure
        .meta({ summary: 'Fine.', errors: {} })
        .output(z.string())
        .query(() => 'x'),
    })
    let error: unknown
    try {
      describeApi(undocumented)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(UndocumentedProcedureError)
    expect((error as UndocumentedProcedureError).problems).toEqual([
      'bare: add `.meta({ summary })`: one sentence on what it does',
      'bare: add `.meta({ errors })`: each error code it returns on purpose, with when (`{}` if none)',
      'bare: add `.output(schema)` (a zod schema from shapes.ts)',
      'feed: add `.meta({ events })`: the zod schema of its events',
    ])
  })

  it('refuses to render without an example of every procedure', () => {
    const api = describeApi(appRouter)
    expect(() => renderReference(api, {})).toThrow(/No recorded example for chat\.regenerate/)
  })
})
