#!/usr/bin/env node
// The installed `t3chat`: runs the compiled CLI (built by `pnpm install` or `pnpm build`).
try {
  await import('../dist/main.js')
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/main.js')) {
    throw error
  }
  process.stderr.write(
    't3chat: the CLI is not built yet. Run `pnpm install` (or `pnpm build`) in the repository.\n',
  )
  process.exit(1)
}
