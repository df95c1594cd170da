import { describe, expect, it } from 'vitest'
import * as ed from './editor'

const typed = (text: string, history: string[] = []) => ed.insert(ed.emptyEditor(history), text)

describe('editor', () => {
  it('inserts at the cursor and turns pasted CR line ends into newlines', () => {
    const state = ed.insert(ed.moveBy(typed('held'), -1), 'l')
    expect(state.value).toBe('helld')
    expect(ed.insert(ed.emptyEditor(), 'a\r\nb\rc').value).toBe('a\nb\nc')
  })

  it('deletes characters, words and lines', () => {
    expect(ed.backspace(typed('abc')).value).toBe('ab')
    expect(ed.backspace(typed('a😀')).value).toBe('a')
    expect(ed.deleteWord(typed('one two  ')).value).toBe('one ')
    expect(ed.kill(ed.lineEdge(typed('abc\ndef'), 'start'), 'end').value).toBe('abc\n')
  })

  it('browses history with ↑/↓ and brings the draft back', () => {
    let state = typed('draft', ['first', 'second'])
    state = ed.vertical(state, -1)
    expect(state.value).toBe('second')
    state = ed.vertical(state, -1)
    expect(state.value).toBe('first')
    state = ed.vertical(state, -1)
    expect(state.value).toBe('first')
    state = ed.vertical(ed.vertical(state, 1), 1)
    expect(state.value).toBe('draft')
  })

  it('moves between lines of a multi-line input before browsing history', () => {
    let state = typed('ab\ncd', ['old'])
    state = ed.vertical(state, -1)
    expect(state.value).toBe('ab\ncd')
    expect(state.cursor).toBe(2)
    state = ed.vertical(state, -1)
    expect(state.value).toBe('old')
  })

  it('commits into history without duplicates', () => {
    const first = ed.commit(typed('hello'))
    expect(first.text).toBe('hello')
    expect(first.state.value).toBe('')
    const again = ed.commit(ed.insert(first.state, 'hello'))
    expect(again.state.history).toEqual(['hello'])
  })
})
