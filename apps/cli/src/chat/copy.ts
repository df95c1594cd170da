import type { Message } from '@t3chat/client'
import type { Token, Tokens } from 'marked'
import { lexMarkdown } from '../format/lex'

/** The fenced code blocks of the assistant's answers, in order. */
export function codeBlocks(messages: readonly Message[]): string[] {
  const blocks: string[] = []
  const visit = (tokens: readonly Token[]) => {
    for (const token of tokens) {
      if (token.type === 'code') blocks.push((token as Tokens.Code).text)
      else if (token.type === 'list') visit((token as Tokens.List).items)
      else if ('tokens' in token && token.tokens !== undefined) visit(token.tokens)
    }
  }
  for (const message of messages) {
    if (message.role === 'assistant') visit(lexMarkdown(message.content))
  }
  return blocks
}

/**
 * The OSC 52 escape that puts `text` on the system clipboard through the terminal, so it
 * works over SSH too (tmux passes it on with `set-clipboard on`).
 */
export function osc52(text: string): string {
  return `\u001b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`
}

/** `/copy [n]`: the last (or nth) code block of the answers to the clipboard (OSC 52). */
export function copyCodeBlock(
  messages: readonly Message[],
  index: number | null,
  out: { write: (data: string) => void; notice: (tone: 'info' | 'warn', text: string) => void },
): void {
  const blocks = codeBlocks(messages)
  const block = index === null ? blocks.at(-1) : blocks[index - 1]
  if (block === undefined) {
    return out.notice(
      'warn',
      blocks.length === 0
        ? 'No code block to copy yet.'
        : `There are ${blocks.length} code blocks: /copy 1 … /copy ${blocks.length}.`,
    )
  }
  out.write(osc52(block))
  const lines = block.split('\n').length
  out.notice(
    'info',
    `Copied code block ${index ?? blocks.length} (${lines} line${lines === 1 ? '' : 's'}) to the clipboard.`,
  )
}
