// What the server's and the CLI's build scripts share (both bundle with esbuild for Node).
import { readFileSync } from 'node:fs'
import type { BuildOptions } from 'esbuild'

/** ESM for Node 20: one bundle with lazily loaded shared chunks, and source maps. */
export const nodeBundle = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
} satisfies BuildOptions

/** The npm dependencies of the package whose directory is `root`. */
export function dependenciesOf(root: URL): Record<string, string> {
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
    dependencies?: Record<string, string>
  }
  return pkg.dependencies ?? {}
}

/** The package a bare import names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier)
}
