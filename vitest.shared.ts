import { basename } from 'node:path'
import { defineConfig, type ViteUserConfig } from 'vitest/config'

/**
 * The one vitest configuration every package uses. With T3CHAT_TEST_RESULTS set (CI), each
 * package also writes a JSON report there, which `.ci/run` sums into one closing line.
 */
export function packageTestConfig(dir: string): ViteUserConfig {
  const results = process.env.T3CHAT_TEST_RESULTS
  const name = `${basename(dir)}-${process.env.DATABASE_URL ? 'postgres' : 'pglite'}`
  return defineConfig({
    test: {
      // PGlite's cold start and the spawned-server tests need more than vitest's 5 s default.
      testTimeout: 30_000,
      // Most tests wait on streams, timers and child processes rather than the CPU: on two
      // cores vitest would run one file at a time.
      maxWorkers: 3,
      hookTimeout: 60_000,
      include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
      reporters: results
        ? ['default', ['json', { outputFile: `${results}/${name}.json` }]]
        : ['default'],
    },
  })
}
