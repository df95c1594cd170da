import { fold } from './fold'

/** A piece of text around the matches, and where they are in it (UTF-16 ranges, end exclusive). */
export interface Snippet {
  snippet: string
  highlights: Array<[start: number, end: number]>
}

/** What to highlight: whole folded words, and the folded start of the word being typed. */
export interface HighlightTerms {
  words: Set<string>
  prefix: string | null
}

/** The longest snippet, in UTF-16 units, ellipses included. */
export const SNIPPET_LENGTH = 200
// How much text comes before the first match shown, when the text must be cut.
const LEAD = 40

/**
 * Cuts a snippet of at most {@link SNIPPET_LENGTH} around the matching words of `text` (the
 * stretch that shows the most different matching words; the start when no word matches, as
 * for a hit on an e-mail address) and lists the matches' ranges in it. Whitespace becomes
 * plain spaces (one for one, so offsets hold).
 */
export function makeSnippet(text: string, terms: HighlightTerms): Snippet {
  const matches = findMatches(text, terms)
  const flat = text.replace(/\s/g, ' ')
  if (flat.length <= SNIPPET_LENGTH) {
    return { snippet: flat, highlights: matches.map((m) => [m.start, m.end]) }
  }
  const start = bestStart(flat, matches)
  const lead = start > 0 ? '…' : ''
  // Room for the closing ellipsis; the cut falls on a space when one is near.
  let end = start + SNIPPET_LENGTH - lead.length - 1
  if (end >= flat.length) {
    end = flat.length
  } else {
    const space = flat.lastIndexOf(' ', end)
    if (space > start + SNIPPET_LENGTH / 2) end = space
  }
  const body = flat.slice(start, end).trimEnd()
  const snippet = `${lead}${body}${end < flat.length ? '…' : ''}`
  const highlights = matches
    .filter((m) => m.start >= start && m.end <= start + body.length)
    .map((m): [number, number] => [m.start - start + lead.length, m.end - start + lead.length])
  return { snippet, highlights }
}

interface Match {
  start: number
  end: number
  word: string
}

function findMatches(text: string, terms: HighlightTerms): Match[] {
  const found: Match[] = []
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = fold(m[0])
    if (terms.words.has(word) || (terms.prefix !== null && word.startsWith(terms.prefix))) {
      found.push({ start: m.index, end: m.index + m[0].length, word })
    }
  }
  return found
}

// The start (a word's first letter) of the window that shows the most different matching words.
function bestStart(flat: string, matches: Match[]): number {
  let best = { from: 0, words: 0 }
  for (const match of matches) {
    const from = Math.max(0, match.start - LEAD)
    const inside = matches.filter((m) => m.start >= from && m.end <= from + SNIPPET_LENGTH - 2)
    const words = new Set(inside.map((m) => m.word)).size
    if (words > best.words) best = { from, words }
  }
  if (best.from === 0) return 0
  // Start after a space, unless that would skip the first match of the window.
  const space = flat.indexOf(' ', best.from)
  const first = matches.find((m) => m.start >= best.from)
  return space !== -1 && first !== undefined && space < first.start ? space + 1 : best.from
}
