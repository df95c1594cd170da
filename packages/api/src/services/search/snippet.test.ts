import { describe, expect, it } from 'vitest'
import { makeSnippet, SNIPPET_LENGTH } from './snippet'

const marked = (s: { snippet: string; highlights: Array<[number, number]> }) =>
  s.highlights.map(([a, b]) => s.snippet.slice(a, b))

describe('makeSnippet', () => {
  it('a short text whole, with folded matches and the prefix', () => {
    const s = makeSnippet('Straße\nin Zürich, zurichsee', {
      words: new Set(['zurich']),
      prefix: 'stras',
    })
    expect(s.snippet).toBe('Straße in Zürich, zurichsee')
    expect(marked(s)).toStrictEqual(['Straße', 'Zürich'])
  })

  it('a long text around the window with the most different words', () => {
    const filler = 'word '.repeat(100)
    const text = `alpha ${filler}alpha beta gamma ${filler}`
    const s = makeSnippet(text, { words: new Set(['alpha', 'beta', 'gamma']), prefix: null })
    expect(s.snippet.length).toBeLessThanOrEqual(SNIPPET_LENGTH)
    expect(s.snippet.startsWith('…')).toBe(true)
    expect(s.snippet.endsWith('…')).toBe(true)
    expect(marked(s)).toStrictEqual(['alpha', 'beta', 'gamma'])
  })

  it('no matching word: the start of the text', () => {
    const s = makeSnippet('x'.repeat(500), { words: new Set(['y']), prefix: null })
    expect(s.snippet).toBe(`${'x'.repeat(SNIPPET_LENGTH - 1)}…`)
    expect(s.highlights).toStrictEqual([])
  })
})
