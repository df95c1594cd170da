import { Box, Text, useInput } from 'ink'
import { useEffect, useReducer, useRef } from 'react'
import { completeCommand } from '../chat/slash'
import * as ed from './editor'

/** Props of {@link InputLine}. */
export interface InputLineProps {
  onSubmit: (text: string) => void
  /** Ctrl-D on an empty line. */
  onEof?: () => void
  /** PgUp. */
  onPageUp?: () => void
  placeholder?: string
  /** Inactive: renders, but ignores keys (e.g. while a picker has focus). */
  active?: boolean
  /** Most rows the input may take on screen (it scrolls beyond that). */
  maxRows?: number
  history?: string[]
  /** Text to edit (replaces the line whenever its `key` changes). */
  draft?: { text: string; key: number } | null
  /** ←/→ on an empty line (e.g. to switch branches). */
  onSideArrow?: (direction: 'prev' | 'next') => void
  /** Esc. */
  onEscape?: () => void
}

/**
 * The chat's input: a multi-line editor with history. Enter sends; Alt+Enter, or Enter after
 * a trailing `\`, starts a new line; pasted text keeps its lines. ↑/↓ move between lines and
 * through history, Tab completes a command, Ctrl-A/E/U/K/W edit like a shell.
 */
export function InputLine({
  onSubmit,
  onEof,
  onPageUp,
  placeholder = '',
  active = true,
  maxRows = 8,
  history,
  draft = null,
  onSideArrow,
  onEscape,
}: InputLineProps) {
  // Kept in a ref, not state: several keys can arrive in one stdin chunk, before a re-render.
  const editor = useRef<ed.EditorState>(ed.emptyEditor(history))
  const [, rerender] = useReducer((n: number) => n + 1, 0)
  const apply = (next: ed.EditorState) => {
    if (next === editor.current) return
    editor.current = next
    rerender()
  }
  const draftKey = draft?.key ?? null
  useEffect(() => {
    if (draft === null) return
    apply({ ...editor.current, value: draft.text, cursor: draft.text.length })
    // Only a new draft replaces the line, not every render.
  }, [draftKey])

  useInput(
    (input, key) => {
      const state = editor.current
      if (key.ctrl && input === 'c') return // the app decides what Ctrl-C means
      if (key.return) {
        if (key.meta) return apply(ed.insert(state, '\n'))
        if (state.cursor > 0 && state.value[state.cursor - 1] === '\\') {
          return apply(ed.insert(ed.backspace(state), '\n'))
        }
        const { state: next, text } = ed.commit(state)
        apply(next)
        if (text.trim() !== '') onSubmit(text)
        return
      }
      if (key.ctrl) {
        switch (input) {
          case 'd':
            if (state.value === '') onEof?.()
            return
          case 'a':
            return apply(ed.lineEdge(state, 'start'))
          case 'e':
            return apply(ed.lineEdge(state, 'end'))
          case 'u':
            return apply(ed.kill(state, 'start'))
          case 'k':
            return apply(ed.kill(state, 'end'))
          case 'w':
            return apply(ed.deleteWord(state))
          default:
            return
        }
      }
      if (key.backspace || key.delete) return apply(ed.backspace(state))
      if ((key.leftArrow || key.rightArrow) && state.value === '' && onSideArrow)
        return onSideArrow(key.leftArrow ? 'prev' : 'next')
      if (key.leftArrow) return apply(ed.moveBy(state, -1))
      if (key.rightArrow) return apply(ed.moveBy(state, 1))
      if (key.upArrow) return apply(ed.vertical(state, -1))
      if (key.downArrow) return apply(ed.vertical(state, 1))
      if (key.home) return apply(ed.lineEdge(state, 'start'))
      if (key.end) return apply(ed.lineEdge(state, 'end'))
      if (key.pageUp) return onPageUp?.()
      if (key.tab) {
        const completed = completeCommand(state.value)
        if (completed !== null) apply({ ...state, value: completed, cursor: completed.length })
        return
      }
      if (key.escape) return onEscape?.()
      if (input === '') return
      // One line followed by Enter in a single chunk (typed ahead, or sent by a script) is
      // a submit; several lines are a paste and stay in the editor.
      if (input.length > 1 && input.indexOf('\r') === input.length - 1) {
        const { state: next, text } = ed.commit(ed.insert(state, input.slice(0, -1)))
        apply(next)
        if (text.trim() !== '') onSubmit(text)
        return
      }
      apply(ed.insert(state, input))
    },
    { isActive: active },
  )

  const { value, cursor } = editor.current
  if (value === '') {
    return (
      <Box>
        <Text color="green" bold>
          {'› '}
        </Text>
        {active ? <Text inverse> </Text> : null}
        <Text dimColor>{placeholder}</Text>
      </Box>
    )
  }
  const lines = value.split('\n')
  let offset = 0
  const rendered = lines.map((line, index) => {
    const start = offset
    offset += line.length + 1
    const here = active && cursor >= start && cursor <= start + line.length
    const at = cursor - start
    return (
      <Box key={index}>
        <Text color="green" bold>
          {index === 0 ? '› ' : '  '}
        </Text>
        {here ? (
          <Text>
            {line.slice(0, at)}
            <Text inverse>{line.slice(at, at + 1) || ' '}</Text>
            {line.slice(at + 1)}
          </Text>
        ) : (
          <Text>{line === '' ? ' ' : line}</Text>
        )}
      </Box>
    )
  })
  const cursorLine = value.slice(0, cursor).split('\n').length - 1
  const first = Math.max(0, Math.min(cursorLine - maxRows + 1, lines.length - maxRows))
  return (
    <Box flexDirection="column">
      {first > 0 && <Text dimColor>{`  ↑ ${first} more line${first === 1 ? '' : 's'}`}</Text>}
      {rendered.slice(first, first + maxRows)}
    </Box>
  )
}
