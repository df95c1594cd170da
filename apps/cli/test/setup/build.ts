import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * The end-to-end tests run the compiled CLI as users do: build it, and the compiled server its
 * embedded server runs, once before they start.
 */
export default function setup(): void {
  execFileSync(
    'pnpm',
    ['--silent', '--filter', '@t3chat/server', '--filter', '@t3chat/cli', 'build'],
    {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: 'inherit',
    },
  )
}
