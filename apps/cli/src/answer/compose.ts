import { readFile } from 'node:fs/promises'
import { CliError } from '../errors'

/** The longest message the server takes (API.md: `content` up to 100,000 characters). */
export const MESSAGE_LIMIT = 100_000

/** A file added to a message with `-f`. */
export interface AttachedFile {
  name: string
  text: string
}

/**
 * The message `ask` sends, as `llm` and `mods` build it: the prompt, then the piped text,
 * then each file as a fenced block under its name. Throws a {@link CliError} (exit 2) when it
 * is empty or longer than the server accepts.
 */
export function composeMessage(parts: {
  prompt: string | undefined
  stdin: string | null
  files: readonly AttachedFile[]
}): string {
  const blocks = [parts.prompt?.trim() ?? '', parts.stdin?.trim() ?? ''].filter((b) => b !== '')
  for (const file of parts.files) blocks.push(`${file.name}:\n${fenced(file.text)}`)
  const message = blocks.join('\n\n')
  if (message === '') {
    throw new CliError(
      'No prompt',
      'Give one as an argument (t3chat ask "…") or pipe it in on stdin.',
      2,
    )
  }
  if (message.length > MESSAGE_LIMIT) {
    throw new CliError(
      `The message is ${message.length.toLocaleString('en-US')} characters; the server takes at most ${MESSAGE_LIMIT.toLocaleString('en-US')}`,
      'Send less text (a smaller file or part of the input).',
      2,
    )
  }
  return message
}

/** Reads the `-f` files as UTF-8 text; a missing one is a one-line error naming it. */
export async function readAttachedFiles(paths: readonly string[]): Promise<AttachedFile[]> {
  return Promise.all(
    paths.map(async (name) => {
      try {
        return { name, text: await readFile(name, 'utf8') }
      } catch (error) {
        const code =
          typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
        throw new CliError(
          `Cannot read -f ${name}${code ? ` (${code})` : ''}`,
          'Check the path.',
          2,
        )
      }
    }),
  )
}

function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  return `${fence}\n${text.replace(/\n$/, '')}\n${fence}`
}
