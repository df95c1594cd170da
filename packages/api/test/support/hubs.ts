import type { Hub } from '../../src/chat/hub'
import { createInProcessHub } from '../../src/chat/hub-memory'

/** Every hub implementation the contract suite runs against. */
export function hubImplementations(): { name: string; create: () => Promise<Hub> }[] {
  return [
    {
      name: 'in-process',
      create: () => Promise.resolve(createInProcessHub({ frameIntervalMs: 20 })),
    },
  ]
}
