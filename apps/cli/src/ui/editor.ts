/** The input line's text and cursor, plus its history. Pure functions, so keys are easy to test. */
export interface EditorState {
  value: string
  /** Cursor position in UTF-16 units. */
  cursor: number
  history: readonly string[]
  /** Position while browsing history (history.length = the draft). */
  historyIndex: number
  /** What was typed before browsing history. */
  draft: string
}

/** An empty editor with the given history (oldest first). */
export function emptyEditor(history: readonly string[] = []): EditorState {
  return { value: '', cursor: 0, history, historyIndex: history.length, draft: '' }
}

/** Inserts text at the cursor; pasted CR/CRLF line ends become `\n`. */
export function insert(state: EditorState, text: string): EditorState {
  const clean = text.replace(/\r\n?/g, '\n').replace(/\t/g, '  ')
  const value = state.value.slice(0, state.cursor) + clean + state.value.slice(state.cursor)
  return { ...state, value, cursor: state.cursor + clean.length }
}

/** Deletes the character before the cursor (a whole surrogate pair). */
export function backspace(state: EditorState): EditorState {
  if (state.cursor === 0) return state
  const code = state.value.charCodeAt(state.cursor - 1)
  const width = code >= 0xdc00 && code <= 0xdfff && state.cursor >= 2 ? 2 : 1
  return {
    ...state,
    value: state.value.slice(0, state.cursor - width) + state.value.slice(state.cursor),
    cursor: state.cursor - width,
  }
}

/** Deletes the word before the cursor (Ctrl-W). */
export function deleteWord(state: EditorState): EditorState {
  const before = state.value.slice(0, state.cursor).replace(/\S+\s*$|\s+$/, '')
  return { ...state, value: before + state.value.slice(state.cursor), cursor: before.length }
}

/** Moves the cursor by characters (never into the middle of a surrogate pair). */
export function moveBy(state: EditorState, delta: number): EditorState {
  let cursor = state.cursor
  const isLow = (at: number) => {
    const code = state.value.charCodeAt(at)
    return code >= 0xdc00 && code <= 0xdfff
  }
  for (let i = 0; i < Math.abs(delta); i++) {
    if (delta < 0 && cursor > 0) cursor -= cursor >= 2 && isLow(cursor - 1) ? 2 : 1
    if (delta > 0 && cursor < state.value.length) cursor += isLow(cursor + 1) ? 2 : 1
  }
  return { ...state, cursor }
}

/** Start / end of the current line (Ctrl-A / Ctrl-E). */
export function lineEdge(state: EditorState, edge: 'start' | 'end'): EditorState {
  if (edge === 'start')
    return { ...state, cursor: state.value.lastIndexOf('\n', state.cursor - 1) + 1 }
  const next = state.value.indexOf('\n', state.cursor)
  return { ...state, cursor: next === -1 ? state.value.length : next }
}

/** Deletes from the cursor to the start (Ctrl-U) or end (Ctrl-K) of the line. */
export function kill(state: EditorState, direction: 'start' | 'end'): EditorState {
  const edge = lineEdge(state, direction).cursor
  const [from, to] = direction === 'start' ? [edge, state.cursor] : [state.cursor, edge]
  return { ...state, value: state.value.slice(0, from) + state.value.slice(to), cursor: from }
}

/**
 * ↑/↓: moves between lines of a multi-line input, and past its first/last line browses the
 * history (the unsent draft comes back at the end).
 */
export function vertical(state: EditorState, direction: -1 | 1): EditorState {
  const lineStart = state.value.lastIndexOf('\n', state.cursor - 1) + 1
  const column = state.cursor - lineStart
  if (direction < 0 && lineStart > 0) {
    const prevStart = state.value.lastIndexOf('\n', lineStart - 2) + 1
    return { ...state, cursor: Math.min(prevStart + column, lineStart - 1) }
  }
  const lineEnd = state.value.indexOf('\n', state.cursor)
  if (direction > 0 && lineEnd !== -1) {
    const nextEnd = state.value.indexOf('\n', lineEnd + 1)
    return {
      ...state,
      cursor: Math.min(lineEnd + 1 + column, nextEnd === -1 ? state.value.length : nextEnd),
    }
  }
  const index = state.historyIndex + direction
  if (index < 0 || index > state.history.length) return state
  const draft = state.historyIndex === state.history.length ? state.value : state.draft
  const value = index === state.history.length ? draft : (state.history[index] ?? '')
  return { ...state, value, cursor: value.length, historyIndex: index, draft }
}

/** After submitting: the text joins the history (no immediate duplicates) and the line empties. */
export function commit(state: EditorState): { state: EditorState; text: string } {
  const text = state.value
  const history =
    text.trim() === '' || state.history.at(-1) === text
      ? state.history
      : [...state.history, text].slice(-500)
  return { state: emptyEditor(history), text }
}
