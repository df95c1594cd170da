import type { SearchTerms } from '@t3chat/db'
import { InvalidInputError } from '../../errors'
import { fold, wordsOf } from './fold'

/** A parsed search: what the database matches, and the folded words to highlight. */
export interface ParsedQuery {
  terms: SearchTerms
  /** Folded whole words to highlight (words and the words of phrases). */
  highlight: Set<string>
  /** Folded start of the word being typed, if any. */
  highlightPrefix: string | null
}

interface Item {
  text: string
  phrase: boolean
  excluded: boolean
}

/**
 * Splits what a person typed: words (all must match, any order), `"quoted words"` (a phrase;
 * an unclosed quote runs to the end, as it does while the phrase is being typed), `-word` and
 * `-"a phrase"` (excluded). The last word is a prefix unless the text ends with a space. Returns
 * null when nothing is left to find (only punctuation). Only exclusions are a bad request.
 *
 * @example
 * parseSearchQuery('"crème brûlée" reci -chocolate')
 * // terms: { words: [], phrases: ['crème brûlée'], prefix: 'reci', excluded: ['chocolate'] }
 */
export function parseSearchQuery(text: string): ParsedQuery | null {
  const items = splitItems(text)
  const searchable = (item: Item) => wordsOf(item.text).length > 0
  const positive = items.filter((item) => !item.excluded && searchable(item))
  const excluded = items.filter((item) => item.excluded && searchable(item))
  if (positive.length === 0) {
    if (excluded.length > 0) {
      throw new InvalidInputError('query: add a word to find; "-word" only leaves words out')
    }
    return null
  }

  const last = positive.at(-1)
  const typing = last !== undefined && !last.phrase && !/\s$/.test(text)
  const words = positive.filter((item) => !item.phrase && item !== (typing ? last : null))
  const terms: SearchTerms = {
    words: words.map((item) => item.text),
    phrases: positive.filter((item) => item.phrase).map((item) => item.text),
    prefix: null,
    excluded: excluded.map((item) => item.text),
  }
  if (typing) {
    // "foo-ba" → the word "foo" and the prefix "ba": only letters and digits can be a prefix.
    const runs = wordsOf(last.text)
    terms.prefix = runs.at(-1) ?? null
    terms.words.push(...runs.slice(0, -1))
  }
  const highlight = new Set(
    [...terms.words, ...terms.phrases].flatMap((t) => wordsOf(t)).map((word) => fold(word)),
  )
  return {
    terms,
    highlight,
    highlightPrefix: terms.prefix === null ? null : fold(terms.prefix),
  }
}

function splitItems(text: string): Item[] {
  const items: Item[] = []
  let i = 0
  while (i < text.length) {
    const char = text[i] ?? ''
    if (/\s/.test(char)) {
      i++
      continue
    }
    let excluded = false
    if (char === '-' && i + 1 < text.length && !/\s/.test(text[i + 1] ?? ' ')) {
      excluded = true
      i++
    }
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1)
      const end = close === -1 ? text.length : close
      items.push({ text: text.slice(i + 1, end), phrase: true, excluded })
      i = end + 1
      continue
    }
    let end = i
    while (end < text.length && !/\s/.test(text[end] ?? ' ') && text[end] !== '"') end++
    items.push({ text: text.slice(i, end), phrase: false, excluded })
    i = end
  }
  return items
}
