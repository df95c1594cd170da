// Letters that unaccent turns into something other than the letter without its marks.
const SPECIAL: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
}

/**
 * Case- and accent-folds a word the way the database's search index does (lower case, no
 * diacritics), for highlighting: "Crème" → "creme".
 */
export function fold(word: string): string {
  return word
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđłþı]/g, (c) => SPECIAL[c] ?? c)
}

/** The runs of letters and digits of a text: what the search index treats as words. */
export function wordsOf(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+/gu) ?? []
}
