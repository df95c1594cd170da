/** A slash command typed into the chat input. */
export type SlashCommand =
  | { name: 'new' }
  | { name: 'list' }
  | { name: 'open'; ref: string }
  | { name: 'model'; query: string }
  | { name: 'system'; action: 'show' }
  | { name: 'system'; action: 'clear' }
  | { name: 'system'; action: 'set'; text: string }
  | { name: 'title'; text: string }
  | { name: 'retry'; model: string | null }
  | { name: 'role'; role: string | null }
  | { name: 'copy'; index: number | null }
  | { name: 'edit'; text: string | null }
  | { name: 'branch'; direction: 'next' | 'prev' }
  | { name: 'fork' }
  | { name: 'search'; query: string }
  | { name: 'share'; action: 'create' }
  | { name: 'share'; action: 'list' }
  | { name: 'share'; action: 'revoke'; ref: string | null }
  | { name: 'export'; format: 'md' | 'json'; file: string | null }
  | { name: 'delete' }
  | { name: 'more' }
  | { name: 'usage' }
  | { name: 'help' }
  | { name: 'quit' }

/** What the input line holds: a message to send, a command, or a command that is wrong. */
export type ParsedInput =
  | { kind: 'message'; text: string }
  | { kind: 'command'; command: SlashCommand }
  | { kind: 'invalid'; error: string }

/** Every command with its one-line help, in the order `/help` lists them. */
export const SLASH_HELP: ReadonlyArray<[usage: string, what: string]> = [
  ['/new', 'start a new conversation'],
  ['/list', 'your conversations (pick one with ↑/↓ and Enter)'],
  ['/open <n|id>', 'open conversation n of the list, or by (short) id'],
  ['/model [query]', 'choose the model (searchable picker; an exact id switches at once)'],
  ['/system [text|clear]', "show, set or clear the conversation's system prompt"],
  ['/title <text>', 'rename the conversation'],
  ['/role [name]', 'use a role of the config file (system prompt and model); list them'],
  ['/copy [n]', 'copy the last (or nth) code block to the clipboard'],
  ['/retry [model]', 'answer the last message again (the old answer stays a branch)'],
  [
    '/edit [text]',
    'change your last message (or pick one) and get a new answer; the old stays a branch',
  ],
  ['/branch next|prev', 'switch to the next or previous branch (also ←/→ on an empty line)'],
  ['/fork', 'copy this conversation up to here into a new one'],
  ['/search <words>', 'search your messages; Enter opens the conversation at the match'],
  ['/share [list|revoke [id]]', 'a public link to this conversation; list or revoke its links'],
  ['/export [md|json] [file]', 'save this conversation as Markdown or t3chat JSON'],
  ['/more', 'load earlier messages (also PgUp)'],
  ['/delete', 'delete this conversation'],
  ['/usage', 'this month’s tokens and cost per day, and your budget'],
  ['/help', 'this list'],
  ['/quit', 'exit (also Ctrl-C or Ctrl-D when idle)'],
]

const ALIASES: Record<string, string> = {
  q: 'quit',
  exit: 'quit',
  ls: 'list',
  n: 'new',
  h: 'help',
  '?': 'help',
  o: 'open',
  m: 'model',
  r: 'retry',
}

/**
 * Parses one submitted input. Text starting with `/` is a command; `//text` sends `/text`
 * literally. Returns `invalid` (with a usage line) for unknown commands or missing arguments.
 */
export function parseInput(raw: string): ParsedInput {
  const text = raw.trim()
  if (!text.startsWith('/')) return { kind: 'message', text: raw.replace(/^\s*\n|\s+$/g, '') }
  if (text.startsWith('//')) return { kind: 'message', text: text.slice(1) }
  const match = /^\/(\S+)\s*([\s\S]*)$/.exec(text)
  const word = (match?.[1] ?? '').toLowerCase()
  const arg = (match?.[2] ?? '').trim()
  const name = ALIASES[word] ?? word
  const command = (c: SlashCommand): ParsedInput => ({ kind: 'command', command: c })
  const noArg = (c: SlashCommand): ParsedInput =>
    arg === '' ? command(c) : { kind: 'invalid', error: `/${name} takes no argument` }

  switch (name) {
    case 'new':
    case 'list':
    case 'delete':
    case 'more':
    case 'usage':
    case 'help':
    case 'quit':
    case 'fork':
      return noArg({ name })
    case 'open':
      return arg === ''
        ? { kind: 'invalid', error: 'Usage: /open <n|id> (numbers as in /list)' }
        : command({ name, ref: arg })
    case 'model':
      return command({ name, query: arg })
    case 'system':
      if (arg === '') return command({ name, action: 'show' })
      if (arg.toLowerCase() === 'clear') return command({ name, action: 'clear' })
      return command({ name, action: 'set', text: arg })
    case 'title':
      return arg === ''
        ? { kind: 'invalid', error: 'Usage: /title <text>' }
        : command({ name, text: arg })
    case 'retry':
      return command({ name, model: arg === '' ? null : arg })
    case 'role':
      return command({ name, role: arg === '' ? null : arg })
    case 'copy': {
      if (arg === '') return command({ name, index: null })
      const index = Number(arg)
      return Number.isInteger(index) && index >= 1
        ? command({ name, index })
        : {
            kind: 'invalid',
            error: 'Usage: /copy [n] (n counts code blocks from the first, 1 = first)',
          }
    }
    case 'edit':
      return command({ name, text: arg === '' ? null : arg })
    case 'search':
      return arg === ''
        ? { kind: 'invalid', error: 'Usage: /search <words> ("a phrase", -excluded)' }
        : command({ name, query: arg })
    case 'share': {
      const [action = '', ref, extra] = arg.split(/\s+/).filter(Boolean)
      if (action === '') return command({ name, action: 'create' })
      if (action === 'list' && ref === undefined) return command({ name, action: 'list' })
      if (action === 'revoke' && extra === undefined)
        return command({ name, action: 'revoke', ref: ref ?? null })
      return { kind: 'invalid', error: 'Usage: /share [list | revoke [id]]' }
    }
    case 'export': {
      const [first, ...rest] = arg === '' ? [] : arg.split(/\s+/)
      const format = first === 'md' || first === 'json' ? first : null
      const file = (format === null ? [first, ...rest] : rest).filter(Boolean).join(' ')
      const guessed = /\.json$/i.test(file) ? 'json' : 'md'
      return command({ name, format: format ?? guessed, file: file === '' ? null : file })
    }
    case 'branch':
      return arg === 'next' || arg === 'prev'
        ? command({ name, direction: arg })
        : { kind: 'invalid', error: 'Usage: /branch next|prev' }
    default:
      return {
        kind: 'invalid',
        error: `Unknown command /${word}. /help lists the commands; start with // to send a message that begins with /.`,
      }
  }
}

/** Completes a partly typed command name (`/mo` → `/model `); null when ambiguous or unknown. */
export function completeCommand(input: string): string | null {
  const match = /^\/(\w*)$/.exec(input)
  if (!match) return null
  const prefix = match[1] ?? ''
  const names = SLASH_HELP.map(([usage]) => (usage.split(' ')[0] ?? '').slice(1)).filter((n) =>
    n.startsWith(prefix),
  )
  return names.length === 1 ? `/${names[0] ?? ''} ` : null
}
