/** Terminal columns a string takes: East Asian wide characters and emoji count two. */
export function displayWidth(text: string): number {
  let width = 0
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    if (
      code < 0x20 ||
      (code >= 0x7f && code < 0xa0) ||
      (code >= 0x300 && code < 0x370) ||
      code === 0x200d ||
      (code >= 0xfe00 && code <= 0xfe0f)
    )
      continue
    width += isWide(code) ? 2 : 1
  }
  return width
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  )
}

/** One line: whitespace runs (newlines included) collapsed to single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** Cuts `text` to `max` columns, ending with `…` when it was cut. */
export function truncate(text: string, max: number): string {
  if (max <= 0) return ''
  if (displayWidth(text) <= max) return text
  let out = ''
  let width = 0
  for (const char of text) {
    const w = displayWidth(char)
    if (width + w > max - 1) break
    out += char
    width += w
  }
  return `${out}…`
}

/** The first 8 characters of a UUID, enough to name a conversation in a list. */
export function shortId(id: string): string {
  return id.slice(0, 8)
}

/**
 * An answer's opening without the stray spaces some models start with (up to three: four
 * would make markdown an indented code block, so those stay).
 */
export function trimAnswerStart(text: string): string {
  return text.replace(/^[ \t]{1,3}(?=\S)/, '')
}
