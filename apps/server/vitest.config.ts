import { mergeConfig } from 'vitest/config'
import { packageTestConfig } from '../../vitest.shared.ts'

// The spawned-server tests run the compiled server (dist/): the global setup builds it first.
export default mergeConfig(packageTestConfig(import.meta.dirname), {
  test: { globalSetup: ['test/setup/build.ts'] },
})
