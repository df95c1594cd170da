import { mergeConfig } from 'vitest/config'
import { packageTestConfig } from '../../vitest.shared.ts'

// The CLI's test files mostly wait on streams, servers and child processes rather than the CPU,
// so they run side by side even where vitest would default to one worker (two cores).
// The end-to-end tests run the compiled CLI: the global setup builds it first.
export default mergeConfig(packageTestConfig(import.meta.dirname), {
  test: { maxWorkers: 4, globalSetup: ['test/setup/build.ts'] },
})
