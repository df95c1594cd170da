import { mergeConfig } from 'vitest/config'
import { packageTestConfig } from '../../vitest.shared.ts'

// The end-to-end tests run the compiled CLI: the global setup builds it first. Most files
// start a server and spawn CLI processes (each a cold Node start), so two run at a time: more
// starve each other's start-up hooks on a two-core machine.
export default mergeConfig(packageTestConfig(import.meta.dirname), {
  test: { maxWorkers: 2, globalSetup: ['test/setup/build.ts'] },
})
