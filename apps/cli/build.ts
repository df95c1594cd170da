// Compiles the CLI to dist/ (one ESM bundle with lazily loaded chunks), so starting `t3chat`
// runs plain JavaScript: no TypeScript compilation at start-up.
// The workspace packages it uses (client, auth) are bundled with their dependencies; the CLI's
// own npm dependencies stay external (resolved from its node_modules). The embedded server
// and the demo's fake provider are loaded only when needed (src/connect/server-modules.ts),
// from the compiled server (apps/server/dist, built by its own build.ts).
import { rmSync } from 'node:fs'
import { build, type Plugin } from 'esbuild'
import { dependenciesOf, nodeBundle, packageName } from '../server/bundle-options'

const root = new URL('.', import.meta.url)
const dependencies = dependenciesOf(root)
/** `@t3chat/server` and `@t3chat/server/<entry>` → the compiled server's `dist/<entry>.js`. */
function compiledServer(specifier: string): string | null {
  if (specifier === '@t3chat/server') return '@t3chat/server/dist/index.js'
  const entry = /^@t3chat\/server\/([\w-]+)$/.exec(specifier)?.[1]
  return entry === undefined ? null : `@t3chat/server/dist/${entry}.js`
}

/**
 * Dependencies bundled all the same: zod's package entry loads every locale (~95 modules,
 * ~40 ms of a command's start), ink's loads ~415 modules of es-toolkit; bundled, only what
 * the CLI uses is kept.
 */
const BUNDLED = new Set(['zod', 'ink'])
/** Optional peers of bundled packages, loaded only in development (ink's React DevTools). */
const OPTIONAL = new Set(['react-devtools-core'])

const externals: Plugin = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true }
      const compiled = compiledServer(args.path)
      if (compiled !== null) return { path: compiled, external: true }
      const name = packageName(args.path)
      if (OPTIONAL.has(name)) return { external: true }
      if (name.startsWith('@t3chat/') || BUNDLED.has(name)) return undefined
      return Object.hasOwn(dependencies, name) ? { external: true } : undefined
    })
  },
}

const outdir = new URL('dist', root).pathname
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: { main: new URL('src/main.tsx', root).pathname },
  ...nodeBundle,
  outdir,
  tsconfig: new URL('tsconfig.json', root).pathname,
  // Bundled CommonJS dependencies may call require().
  banner: {
    js: "import { createRequire as __t3chatRequire } from 'node:module'; const require = __t3chatRequire(import.meta.url);",
  },
  plugins: [externals],
})
