/**
 * `pnpm docs`: writes docs/api.md and docs/openapi.json from the router and the examples the
 * tests recorded (docs/examples/*.json). `pnpm docs --verify` writes nothing and exits 1 when
 * a committed file differs from what the router gives now (CI runs it).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { appRouter } from '../src/root'
import { defaultApiConfig } from '../src/deps'
import { describeApi, openApiDocument, renderReference, type Example } from '../src/reference'

const docsDir = resolve(import.meta.dirname, '../../../docs')
const verify = process.argv.includes('--verify')

async function loadExamples(): Promise<Record<string, Example>> {
  const dir = join(docsDir, 'examples')
  const examples: Record<string, Example> = {}
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    const recorded = JSON.parse(await readFile(join(dir, file), 'utf8')) as Record<string, Example>
    for (const [path, example] of Object.entries(recorded)) {
      if (path in examples) throw new Error(`${file}: a second example for ${path}`)
      examples[path] = example
    }
  }
  return examples
}

async function main(): Promise<number> {
  const api = describeApi(appRouter)
  const files = {
    'api.md': renderReference(api, await loadExamples()),
    'openapi.json': `${JSON.stringify(openApiDocument(appRouter, { version: defaultApiConfig.version, description: api }), null, 2)}\n`,
  }
  let stale = 0
  for (const [name, text] of Object.entries(files)) {
    const path = join(docsDir, name)
    const current = await readFile(path, 'utf8').catch(() => null)
    if (current === text) continue
    if (verify) {
      process.stderr.write(`docs/${name} is stale: run \`pnpm run docs\` and commit it.\n`)
      stale++
    } else {
      await writeFile(path, text)
      process.stdout.write(`wrote docs/${name}\n`)
    }
  }
  return stale === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
