import { lexMarkdown } from '../format/lex'
import { displayWidth } from '../format/text'

/**
 * How much of a streaming markdown text is finished: the length of its leading blocks that
 * are followed by another block. Those can be printed once and never change; only the last
 * block (a paragraph, list or code fence still growing) needs re-rendering.
 * Returns 0 when nothing is settled yet.
 */
export function settledLength(markdown: string): number {
  // Blocks end at a line break: text without one (a paragraph still growing) is one block,
  // and is not parsed again for every token.
  if (!markdown.trimEnd().includes('\n')) return 0
  const tokens = lexMarkdown(markdown)
  let lastContent = -1
  for (let i = tokens.length - 1; i >= 0; i--) {
    if (tokens[i]?.type !== 'space') {
      lastContent = i
      break
    }
  }
  if (lastContent <= 0) return 0
  let offset = 0
  for (let i = 0; i < lastContent; i++) offset += tokens[i]?.raw.length ?? 0
  // Only trust the split when the tokens cover the text exactly (they do for plain markdown).
  const covered = tokens.reduce((sum, token) => sum + token.raw.length, 0)
  return covered === markdown.length ? offset : 0
}

/**
 * The last `maxRows` terminal rows of a growing block, so the live region never outgrows the
 * screen (Ink would otherwise repaint the whole terminal on every frame). A code fence keeps
 * its opening line so the rest still renders as code; a line too long to fit keeps its end.
 */
export function clampTail(
  markdown: string,
  maxRows: number,
  columns: number,
): { text: string; hiddenLines: number } {
  const width = Math.max(10, columns)
  const lines = markdown.split('\n')
  const rows = (line: string) => Math.max(1, Math.ceil(displayWidth(line) / width))
  const total = lines.reduce((sum, line) => sum + rows(line), 0)
  if (total <= maxRows) return { text: markdown, hiddenLines: 0 }

  const fence = /^\s{0,3}(```|~~~)/.test(lines[0] ?? '') ? (lines[0] ?? '') : null
  let budget = Math.max(1, maxRows - (fence !== null ? 1 : 0))
  let first = lines.length
  while (first > (fence !== null ? 1 : 0)) {
    const next = rows(lines[first - 1] ?? '')
    if (next > budget) break
    budget -= next
    first--
  }
  const kept = lines.slice(first)
  const cut = lines[first - 1]
  if (budget > 0 && cut !== undefined && !(fence !== null && first === 1)) {
    kept.unshift(`…${lastColumns(cut, budget * width - 1)}`)
  }
  const hiddenLines = first - (fence !== null ? 1 : 0)
  return { text: [...(fence !== null ? [fence] : []), ...kept].join('\n'), hiddenLines }
}

/** The end of `text` that fits in `columns` terminal columns. */
function lastColumns(text: string, columns: number): string {
  const chars = [...text]
  let width = 0
  let start = chars.length
  while (start > 0) {
    const w = displayWidth(chars[start - 1] ?? '')
    if (width + w > columns) break
    width += w
    start--
  }
  return chars.slice(start).join('')
}
