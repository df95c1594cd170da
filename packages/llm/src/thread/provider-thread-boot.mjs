// Loads the provider thread's TypeScript in any host (tsx, vitest, plain node): the worker
// registers tsx's loader for itself first.
import { register } from 'tsx/esm/api'

register()
await import('./provider-thread.ts')
