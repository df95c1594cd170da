import type { ChatMessage } from './provider'

/** Longest title we store. */
export const MAX_TITLE_LENGTH = 80
const MAX_PROMPT_EXCERPT = 1_000

/** Cuts `text` to at most `max` UTF-16 units at a word boundary (hard cut for one long word). */
function truncateAtWord(text: string, max: number): string {
  if (text.length <= max) return text
  const space = text.lastIndexOf(' ', max)
  if (space > 0) return text.slice(0, space)
  // Never split a surrogate pair (emoji) in half.
  const code = text.charCodeAt(max - 1)
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max)
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > MAX_PROMPT_EXCERPT ? `${truncateAtWord(flat, MAX_PROMPT_EXCERPT)} …` : flat
}

/**
 * The prompt that asks a small model for a conversation title. Inputs are trimmed to a short
 * excerpt: a title does not need the whole answer, and the call should stay cheap.
 */
export function buildTitlePrompt(firstUserMessage: string, firstAnswer: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        'You name chat conversations. Reply with a title of 3 to 7 words that says what the ' +
        'conversation is about, in the language of the user. Reply with the title only: no ' +
        'quotes, no markdown, no "Title:" prefix, no punctuation at the end.',
    },
    {
      role: 'user',
      content: `User: ${excerpt(firstUserMessage)}\n\nAssistant: ${excerpt(firstAnswer)}\n\nTitle for this conversation:`,
    },
  ]
}

const QUOTES = `"'\`“”„‘’‚«»「」『』`
const EDGE_QUOTES = new RegExp(`^[${QUOTES}]+|[${QUOTES}]+$`, 'g')
const TRAILING_PUNCT = /[\s.,;:。…]+$/u

function cleanLine(line: string): string {
  let text = line
    .replace(/^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)/, '')
    .replace(/\*\*|__|~~|`/g, '')
    .trim()
  text = text.replace(/^(?:(?:chat|conversation|suggested)\s+)?title\s*[:：\-–—]\s*/i, '')
  // Quotes and end punctuation nest either way round ('"Title".' or '"Title."').
  let previous = ''
  while (previous !== text) {
    previous = text
    text = text
      .replace(/^[*_]+|[*_]+$/g, '')
      .replace(EDGE_QUOTES, '')
      .replace(TRAILING_PUNCT, '')
      .trim()
  }
  return text.replace(/\s+/g, ' ')
}

/**
 * A model's raw answer turned into a title: the first non-empty line without quotes,
 * markdown or a "Title:" prefix, spaces collapsed, at most 80 characters (cut at a word
 * boundary). Null when nothing usable remains.
 */
export function cleanTitle(raw: string): string | null {
  for (const line of raw.split(/\r?\n/)) {
    const text = cleanLine(line)
    if (!text) continue
    const cut = truncateAtWord(text, MAX_TITLE_LENGTH).replace(TRAILING_PUNCT, '')
    return cut || null
  }
  return null
}

/** A title cut from the first message when the model gave none: its first words, ≤ 80 chars. */
export function fallbackTitle(firstUserMessage: string): string {
  const flat = firstUserMessage.replace(/\s+/g, ' ').trim()
  if (!flat) return 'New chat'
  return truncateAtWord(flat, MAX_TITLE_LENGTH).trim() || 'New chat'
}
