import { Box, render, Static } from 'ink'
import { useSyncExternalStore } from 'react'
import type { Message } from '@t3chat/client'
import type { AnswerOutput } from '../commands/ask'
import type { StreamConnection } from '../answer/follow-answer'
import type { Entry, LiveAnswer } from '../chat/state'
import { Store } from '../chat/store'
import { advanceLive, finishLive, newLive } from '../chat/transcript'
import { paceUpdates } from '../answer/pace'
import { EntryView } from './entry-view'
import { LiveAnswerView } from './live-answer'

interface AnswerState {
  entries: Entry[]
  live: LiveAnswer | null
}

/** The state of one streamed answer (for `t3chat ask` on a terminal). */
export interface AnswerStore {
  store: Store<AnswerState>
  /** Everything received so far. */
  text(content: string): void
  connection(state: StreamConnection): void
  finish(final: Message): void
}

/** A store that moves finished markdown blocks out of the live region as they complete. */
export function createAnswerStore(model: string | null): AnswerStore {
  const store = new Store<AnswerState>({ entries: [], live: newLive('', model) })
  // One redraw per frame, however fast the tokens come.
  const paced = paceUpdates((content: string) =>
    store.update((state) => {
      if (!state.live) return state
      const { live, entry } = advanceLive(state.live, content)
      return { entries: entry ? [...state.entries, entry] : state.entries, live }
    }),
  )
  return {
    store,
    text: (content) => paced.push(content),
    connection(connection) {
      store.update((state) =>
        state.live ? { ...state, live: { ...state.live, connection } } : state,
      )
    },
    finish(final) {
      paced.cancel()
      store.update((state) => ({
        entries: [...state.entries, ...finishLive(state.live, final)],
        live: null,
      }))
    },
  }
}

/** One answer streaming in: finished blocks printed once, the growing block live. */
export function AnswerView({
  store,
  columns = process.stdout.columns || 80,
  rows = process.stdout.rows || 24,
}: {
  store: AnswerStore
  columns?: number
  rows?: number
}) {
  const state = useSyncExternalStore(store.store.subscribe, store.store.get)
  return (
    <Box flexDirection="column">
      <Static items={state.entries}>{(entry) => <EntryView key={entry.id} entry={entry} />}</Static>
      {state.live && <LiveAnswerView live={state.live} maxRows={rows - 3} columns={columns} />}
    </Box>
  )
}

/** Renders one answer on the terminal as it streams (`t3chat ask` with a TTY stdout). */
export function renderAnswer(model: string | null): AnswerOutput {
  const store = createAnswerStore(model)
  const instance = render(<AnswerView store={store} />, { exitOnCtrlC: false, patchConsole: false })
  let closed = false
  return {
    text: (_text, content) => store.text(content),
    connection: (state) => store.connection(state),
    async finish(final) {
      store.finish(final)
      // Let Ink flush the last frame before the view is unmounted.
      await new Promise((resolve) => setTimeout(resolve, 20))
    },
    async close() {
      if (closed) return
      closed = true
      instance.unmount()
      await instance.waitUntilExit()
    },
  }
}
