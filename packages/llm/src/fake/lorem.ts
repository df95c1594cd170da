/**
 * The fake's vocabulary. Non-ASCII words (accents, CJK, an emoji outside the BMP) make sure
 * every consumer counts UTF-16 offsets the way the API contract says.
 */
const WORDS = [
  'lorem',
  'ipsum',
  'dolor',
  'sit',
  'amet',
  'café',
  'consectetur',
  '你好',
  'adipiscing',
  'élan',
  'elit',
  '🚀',
  'sed',
  'naïve',
  'tempor',
  '世界',
] as const

const TOKENS: readonly string[] = WORDS.map((w) => ` ${w}`)
const ENCODED: readonly string[] = TOKENS.map((t) => JSON.stringify(t))

/** Token `i` of every lorem stream: a word with a leading space. */
export function loremToken(i: number): string {
  return TOKENS[i % TOKENS.length] ?? ''
}

/** The JSON-encoded form of {@link loremToken}, computed once for the whole process. */
export function loremTokenJson(i: number): string {
  return ENCODED[i % ENCODED.length] ?? '""'
}

/** The full text of a lorem stream of `tokens` tokens (what tests expect to receive). */
export function loremText(tokens: number): string {
  let text = ''
  for (let i = 0; i < tokens; i++) text += loremToken(i)
  return text
}

/** Splits text into word tokens whose concatenation is exactly the text. */
export function wordTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? []
}
