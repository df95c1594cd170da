import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../errors'
import { parseSearchQuery } from './parse-query'

describe('parseSearchQuery', () => {
  it('words, a phrase, exclusions, and the last word as a prefix', () => {
    expect(parseSearchQuery('"crème brûlée" easy reci -chocolate -"water bath"')).toStrictEqual({
      terms: {
        words: ['easy'],
        phrases: ['crème brûlée'],
        prefix: 'reci',
        excluded: ['chocolate', 'water bath'],
      },
      highlight: new Set(['creme', 'brulee', 'easy']),
      highlightPrefix: 'reci',
    })
  })

  it('a trailing space or a closing phrase means no prefix', () => {
    expect(parseSearchQuery('easy ')?.terms).toMatchObject({ words: ['easy'], prefix: null })
    expect(parseSearchQuery('easy "a b"')?.terms).toMatchObject({ words: ['easy'], prefix: null })
  })

  it('only letters and digits of the word being typed make the prefix', () => {
    expect(parseSearchQuery('foo-ba')?.terms).toMatchObject({ words: ['foo'], prefix: 'ba' })
    expect(parseSearchQuery('sugar:*')?.terms).toMatchObject({ words: [], prefix: 'sugar' })
  })

  it('an unclosed quote runs to the end', () => {
    expect(parseSearchQuery('x "water ba')?.terms).toMatchObject({
      words: ['x'],
      phrases: ['water ba'],
      prefix: null,
    })
  })

  it('nothing to find is null; only exclusions is invalid', () => {
    expect(parseSearchQuery('?! ... - ""')).toBeNull()
    expect(() => parseSearchQuery('-cream')).toThrow(InvalidInputError)
  })
})
