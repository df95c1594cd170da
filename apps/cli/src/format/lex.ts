import { Lexer, type Token } from 'marked'

/** Parses markdown into block tokens (GFM: tables, task lists, strikethrough). */
export function lexMarkdown(source: string): Token[] {
  return new Lexer({ gfm: true }).lex(source)
}
