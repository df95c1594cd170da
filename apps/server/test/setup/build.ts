import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** Tests that spawn the server run the compiled one, as `pnpm start` does: build it first. */
export default function setup(): void {
  execFileSync('pnpm', ['run', '--silent', 'build'], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: 'inherit',
  })
}
