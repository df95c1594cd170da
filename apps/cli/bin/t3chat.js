#!/usr/bin/env node
// Runs the CLI's TypeScript source through tsx (no build step); the tsconfig is the CLI's own,
// whatever the current directory.
import { register } from 'tsx/esm/api'

register({ tsconfig: new URL('../tsconfig.json', import.meta.url).pathname })
await import('../src/main.tsx')
