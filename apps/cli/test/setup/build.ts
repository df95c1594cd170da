import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The end-to-end tests run the compiled CLI as users do: build it once before they start. */
export default function setup(): void {
  execFileSync('pnpm', ['run', '--silent', 'build'], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: 'inherit',
  })
}
