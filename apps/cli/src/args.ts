import { parseArgs, type ParseArgsConfig } from 'node:util'
import { HELP } from './help'

/** Options every command accepts. */
export interface GlobalOptions {
  url: string | undefined
  transport: 'sse' | 'ws' | undefined
  demo: boolean
}

/** A parsed command line. */
export type Command =
  | {
      name: 'chat'
      global: GlobalOptions
      model?: string
      conversation?: string
      continueLast: boolean
      role?: string
    }
  | {
      name: 'ask'
      global: GlobalOptions
      prompt: string | undefined
      model?: string
      conversation?: string
      /** `-c`: continue the most recent conversation. */
      continueLast: boolean
      system?: string
      role?: string
      /** `-f FILE` (repeatable): files added to the message as text. */
      files: string[]
      json: boolean
      /** `--no-stream`: print the answer once it is complete. */
      stream: boolean
      /** `--raw`: the plain stored text, never rendered as markdown. */
      raw: boolean
    }
  | { name: 'list'; global: GlobalOptions; limit: number; json: boolean }
  | { name: 'models'; global: GlobalOptions; query: string | undefined; json: boolean }
  | { name: 'show'; global: GlobalOptions; ref: string; json: boolean }
  | { name: 'search'; global: GlobalOptions; query: string; limit: number; json: boolean }
  | { name: 'login'; global: GlobalOptions; email?: string; passwordStdin: boolean; otp: boolean }
  | { name: 'logout'; global: GlobalOptions }
  | {
      name: 'share'
      global: GlobalOptions
      ref: string | undefined
      list: boolean
      revoke?: string
      json: boolean
    }
  | { name: 'export'; global: GlobalOptions; ref: string; format: 'md' | 'json'; output?: string }
  | {
      name: 'import'
      global: GlobalOptions
      file: string
      format: 'chatgpt' | 't3chat'
      json: boolean
    }
  | { name: 'usage'; global: GlobalOptions; by: 'day' | 'model'; json: boolean }
  | { name: 'key'; global: GlobalOptions; action: 'set' | 'remove' }
  | { name: 'help'; text: string }
  | { name: 'version' }

/** A command line that cannot be understood; the message says why, exit code 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>

const globalOptions = {
  url: { type: 'string' },
  transport: { type: 'string' },
  demo: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies Options

const commandOptions = {
  chat: {
    model: { type: 'string', short: 'm' },
    conversation: { type: 'string' },
    cid: { type: 'string' },
    continue: { type: 'boolean', short: 'c', default: false },
    role: { type: 'string', short: 'r' },
  },
  ask: {
    model: { type: 'string', short: 'm' },
    conversation: { type: 'string' },
    cid: { type: 'string' },
    continue: { type: 'boolean', short: 'c', default: false },
    system: { type: 'string', short: 's' },
    role: { type: 'string', short: 'r' },
    file: { type: 'string', short: 'f', multiple: true },
    json: { type: 'boolean', default: false },
    'no-stream': { type: 'boolean', default: false },
    raw: { type: 'boolean', default: false },
  },
  list: { limit: { type: 'string', short: 'n' }, json: { type: 'boolean', default: false } },
  models: { json: { type: 'boolean', default: false } },
  show: { json: { type: 'boolean', default: false } },
  search: { limit: { type: 'string', short: 'n' }, json: { type: 'boolean', default: false } },
  login: {
    email: { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
    otp: { type: 'boolean', default: false },
  },
  logout: {},
  share: {
    list: { type: 'boolean', default: false },
    revoke: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  export: { format: { type: 'string', short: 'f' }, output: { type: 'string', short: 'o' } },
  import: { format: { type: 'string', short: 'f' }, json: { type: 'boolean', default: false } },
  usage: { by: { type: 'string' }, json: { type: 'boolean', default: false } },
  key: {},
} satisfies Record<string, Options>

type CommandName = keyof typeof commandOptions

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commandOptions, name)
}

/** Parses `argv` (without node and the script). Throws {@link UsageError}. */
export function parseCommandLine(argv: readonly string[]): Command {
  const first = argv[0]
  if (first === '--version' || first === '-v' || first === 'version') return { name: 'version' }
  if (first === 'help') {
    const topic = argv[1]
    return {
      name: 'help',
      text: topic !== undefined && isCommandName(topic) ? HELP[topic] : HELP.main,
    }
  }
  const explicit = first !== undefined && !first.startsWith('-')
  const name = explicit ? first : 'chat'
  if (!isCommandName(name)) {
    throw new UsageError(`unknown command "${name}". Run t3chat --help for the list.`)
  }
  const rest = explicit ? argv.slice(1) : argv
  let parsed
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...globalOptions, ...commandOptions[name] },
      allowPositionals: true,
      strict: true,
    })
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new UsageError(`${reason}. Run t3chat ${explicit ? `${name} ` : ''}--help for usage.`)
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>
  if (values.help === true) return { name: 'help', text: explicit ? HELP[name] : HELP.main }

  const global = parseGlobal(values)
  const str = (key: string): string | undefined => {
    const v = values[key]
    return typeof v === 'string' ? v : undefined
  }
  const bool = (key: string): boolean => values[key] === true
  const conversation = () => {
    const id = str('cid') ?? str('conversation')
    if (id !== undefined && bool('continue')) {
      throw new UsageError('-c (the last conversation) and --cid (a given one) exclude each other.')
    }
    return { ...opt('conversation', id), continueLast: bool('continue') }
  }
  const positionals = parsed.positionals
  const noPositionals = () => {
    if (positionals.length > 0) {
      throw new UsageError(
        `unexpected argument "${positionals[0] ?? ''}". Run t3chat ${name} --help.`,
      )
    }
  }

  switch (name) {
    case 'chat':
      noPositionals()
      return {
        name,
        global,
        ...opt('model', str('model')),
        ...conversation(),
        ...opt('role', str('role')),
      }
    case 'ask': {
      const files = values.file
      if (bool('json') && bool('raw')) throw new UsageError('--json and --raw exclude each other.')
      return {
        name,
        global,
        prompt: positionals.length > 0 ? positionals.join(' ') : undefined,
        ...opt('model', str('model')),
        ...conversation(),
        ...opt('system', str('system')),
        ...opt('role', str('role')),
        files: Array.isArray(files) ? files : [],
        json: bool('json'),
        stream: !bool('no-stream'),
        raw: bool('raw'),
      }
    }
    case 'list': {
      noPositionals()
      const raw = str('limit')
      const limit = raw === undefined ? 20 : Number(raw)
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw new UsageError('--limit must be a whole number from 1 to 100.')
      }
      return { name, global, limit, json: bool('json') }
    }
    case 'models':
      return {
        name,
        global,
        query: positionals.length > 0 ? positionals.join(' ') : undefined,
        json: bool('json'),
      }
    case 'show': {
      const ref = positionals[0]
      if (ref === undefined || positionals.length > 1) {
        throw new UsageError('show needs one conversation: t3chat show <id|number>.')
      }
      return { name, global, ref, json: bool('json') }
    }
    case 'search': {
      const raw = str('limit')
      const limit = raw === undefined ? 20 : Number(raw)
      if (positionals.length === 0)
        throw new UsageError('search needs words: t3chat search <words…>.')
      if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
        throw new UsageError('--limit must be a whole number from 1 to 50.')
      }
      return { name, global, query: positionals.join(' '), limit, json: bool('json') }
    }
    case 'login':
      noPositionals()
      return {
        name,
        global,
        ...opt('email', str('email')),
        passwordStdin: bool('password-stdin'),
        otp: bool('otp'),
      }
    case 'logout':
      noPositionals()
      return { name, global }
    case 'usage': {
      noPositionals()
      const by = str('by') ?? 'day'
      if (by !== 'day' && by !== 'model') throw new UsageError('--by must be day or model.')
      return { name, global, by, json: bool('json') }
    }
    case 'key': {
      const action = positionals[0]
      if ((action !== 'set' && action !== 'remove') || positionals.length > 1)
        throw new UsageError('key needs set or remove: t3chat key set · t3chat key remove.')
      return { name, global, action }
    }
    case 'share': {
      if (positionals.length > 1) throw new UsageError('share takes one conversation at most.')
      const revoke = str('revoke')
      if ((bool('list') || revoke !== undefined) && positionals.length > 0)
        throw new UsageError('--list and --revoke take no conversation.')
      return {
        name,
        global,
        ref: positionals[0],
        list: bool('list'),
        ...opt('revoke', revoke),
        json: bool('json'),
      }
    }
    case 'export': {
      const ref = positionals[0]
      if (ref === undefined || positionals.length > 1)
        throw new UsageError('export needs one conversation: t3chat export <id|n>.')
      const format = str('format') ?? 'md'
      if (format !== 'md' && format !== 'json')
        throw new UsageError('--format must be "md" or "json".')
      return { name, global, ref, format, ...opt('output', str('output')) }
    }
    case 'import': {
      const file = positionals[0]
      if (file === undefined || positionals.length > 1)
        throw new UsageError('import needs one file: t3chat import <file>.')
      // A t3chat export is named *.t3chat.json; anything else is taken for ChatGPT's.
      const format = str('format') ?? (file.endsWith('.t3chat.json') ? 't3chat' : 'chatgpt')
      if (format !== 'chatgpt' && format !== 't3chat')
        throw new UsageError('--format must be "chatgpt" or "t3chat".')
      return { name, global, file, format, json: bool('json') }
    }
  }
}

function parseGlobal(
  values: Record<string, string | boolean | string[] | undefined>,
): GlobalOptions {
  const transport = values.transport
  if (transport !== undefined && transport !== 'sse' && transport !== 'ws') {
    throw new UsageError('--transport must be "sse" or "ws".')
  }
  const url = values.url
  if (typeof url === 'string') {
    try {
      const parsed = new URL(url)
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol')
    } catch {
      throw new UsageError(`--url must be a URL starting with http:// or https:// (got "${url}").`)
    }
  }
  return {
    url: typeof url === 'string' ? url : undefined,
    transport: transport === 'sse' || transport === 'ws' ? transport : undefined,
    demo: values.demo === true,
  }
}

function opt<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>)
}
