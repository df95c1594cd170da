/** A minimal external store for `useSyncExternalStore`: immutable snapshots, change listeners. */
export class Store<T> {
  private listeners = new Set<() => void>()
  constructor(private state: T) {}

  get = (): T => this.state

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Replaces the snapshot with `update(current)` and notifies listeners. */
  update(update: (state: T) => T): void {
    const next = update(this.state)
    if (next === this.state) return
    this.state = next
    for (const listener of this.listeners) listener()
  }

  set(partial: Partial<T>): void {
    this.update((state) => ({ ...state, ...partial }))
  }
}
