const CONNECTION = `Connection options (every command):
  --url <url>          server to talk to (default: $T3CHAT_URL, else http://127.0.0.1:3000;
                       when nothing answers there, t3chat starts a local server for the session)
  --transport sse|ws   how answers stream (default: $T3CHAT_TRANSPORT, else sse)
  --demo               offline demo: a built-in fake model provider (default model fake/slow)
  -h, --help           this help`

/** The help text of every command, shown by `--help` / `t3chat help <command>`. */
export const HELP = {
  main: `t3chat — chat with any model from your terminal

Usage:
  t3chat [-m model] [-c | --cid id] [-r role] interactive chat (conversation list first)
  t3chat ask "prompt" [-m model] [-f file]   one answer to stdout (piped stdin is added)
  t3chat list                                your conversations
  t3chat show <id|n>                         print a conversation
  t3chat search <words…> [--json]            find messages and titles by their words
  t3chat models [query]                      the model catalog
  t3chat share [id|n] · --list · --revoke id  public links to a conversation
  t3chat export <id|n> [--format md|json]    a conversation as Markdown or t3chat JSON
  t3chat import <file> [--format chatgpt|t3chat]   conversations from an export file
  t3chat login / logout                      Supabase sign-in (servers that use it)
  t3chat usage [--by day|model] [--json]     this month's tokens and cost, and your budget
  t3chat key set · t3chat key remove         your own OpenRouter key on the server

${CONNECTION}

Environment: T3CHAT_URL, T3CHAT_TRANSPORT, T3CHAT_DATA_DIR (local server data and identity),
OPENROUTER_API_KEY (for a local server), SUPABASE_URL + SUPABASE_ANON_KEY (for login).
Config file: $XDG_CONFIG_HOME/t3chat/config.json (default ~/.config/t3chat/config.json):
  {"url": "http://…", "model": "vendor/model", "transport": "sse"|"ws",
   "roles": {"reviewer": {"system": "You review code.", "model": "vendor/model"}}}
The environment and flags override it.
Run t3chat <command> --help for details.`,

  chat: `Usage: t3chat [chat] [-m model] [-c | --cid id] [-r role] [--demo]

Opens the interactive chat. In the chat:
  Enter                send · Alt+Enter or a trailing "\\" for a new line · paste keeps lines
  ↑ / ↓                input history · PgUp or /more loads earlier messages
  Ctrl-C               stop the answer while it streams; exit when idle (also Ctrl-D)
  /new /list /open <n|id> /model [query] /system [text|clear] /title <text>
  /retry [model] /role [name] /copy [n] /delete /more /help /quit

Options:
  -m, --model <id>         model for new answers (see t3chat models)
  -c, --continue           open the most recent conversation
  --cid <id>               open this conversation (id, short id or list number)
  -r, --role <name>        use a role of the config file (system prompt and model)

${CONNECTION}`,

  ask: `Usage: t3chat ask ["prompt"] [-m model] [-c | --cid id] [-f file]… [-s text | -r role]

Sends one message and streams the answer to stdout (plain text when stdout is not a terminal,
so it pipes). The message is the prompt, then piped stdin, then each -f file (as a fenced
block under its name); at most 100,000 characters.
Exits 1 when the answer fails (the reason goes to stderr), 130 when interrupted.

Options:
  -m, --model <id>         model to answer with (see t3chat models)
  -c, --continue           continue the most recent conversation
  --cid <id>               continue this conversation (id, short id or list number)
  -f, --file <path>        add a file as text (repeatable)
  -s, --system <text>      system prompt
  -r, --role <name>        a role of the config file (system prompt and model)
  --no-stream              print the answer once it is complete
  --raw                    the text exactly as stored, never rendered as markdown
  --json                   print the final message as JSON instead of streaming text

${CONNECTION}`,

  list: `Usage: t3chat list [--limit n] [--json]

Your conversations, most recent activity first: number, short id, title, preview, age.

Options:
  -n, --limit <n>   how many (1..100, default 20)
  --json            machine-readable output

${CONNECTION}`,

  models: `Usage: t3chat models [query] [--json]

The model catalog; a query filters by id or name.

${CONNECTION}`,

  show: `Usage: t3chat show <id|short id|n> [--json]

Prints a whole conversation (n = its number in t3chat list).

${CONNECTION}`,

  search: `Usage: t3chat search <words…> [--limit n] [--json]

Your messages and conversation titles that contain every word (any order, case and accents
ignored; the last word may be the start of one), best first. "quoted words" match as a phrase,
-word leaves a word out. Each hit: conversation short id and title, message number, age, and
the text around the match (open it with t3chat show <short id>). Put -- before the words
when the first one is an exclusion: t3chat search -- -draft report.

Options:
  -n, --limit <n>   how many (1..50, default 20)
  --json            machine-readable output (the search.messages page)

${CONNECTION}`,

  login: `Usage: t3chat login [--email e] [--password-stdin] [--otp]

Signs in to a Supabase-backed t3chat server (needs SUPABASE_URL and SUPABASE_ANON_KEY).
The session is kept in $XDG_CONFIG_HOME/t3chat (default ~/.config/t3chat), mode 0600, and
refreshed automatically. A local server needs no login.

Options:
  --email <e>        your email (asked for when omitted)
  --password-stdin   read the password from stdin (for scripts)
  --otp              sign in with a one-time code sent by email instead of a password`,

  share: `Usage: t3chat share [id|short id|n] · t3chat share --list · t3chat share --revoke <id>

Shares a snapshot of a conversation (default: the most recent) as a public link and prints
it: the server's URL + /s/ + the link's token (a web front end renders that page with
share.get). The token is shown only now; later, --list shows your links without it.

Options:
  --list          your share links, newest first
  --revoke <id>   stop a link (its id or id prefix from --list)
  --json          machine-readable output

${CONNECTION}`,

  export: `Usage: t3chat export <id|short id|n> [--format md|json] [-o file]

Writes a conversation to stdout (or a file): md is the active path, readable; json is the
t3chat format with every branch (t3chat import reads it back).

Options:
  -f, --format md|json   default md
  -o, --output <file>    write there instead of stdout

${CONNECTION}`,

  import: `Usage: t3chat import <file> [--format chatgpt|t3chat] [--json]

Imports every conversation of an export file, one at a time (any size): ChatGPT's
conversations.json, or t3chat JSON exports (*.t3chat.json is read as t3chat). Shows progress,
then a summary: imported, duplicates (imported before), skipped parts, failures with reasons.
Exit code 1 when a conversation failed.

Options:
  -f, --format chatgpt|t3chat   default from the file name
  --json                         the summary as JSON

${CONNECTION}`,

  usage: `Usage: t3chat usage [--by day|model] [--json]

This UTC month's usage: per day (with a bar of its cost) or per model — answers, tokens and
cost (the provider's own figure, or an estimate from the model's price) — the total, and
your budget when the server sets one (/usage in the chat shows the same).

Options:
  --by day|model   rows per UTC day (default) or per model
  --json           the summary as JSON

${CONNECTION}`,

  key: `Usage: t3chat key set · t3chat key remove

set: reads your OpenRouter API key without showing it (or from piped stdin), has the server
check it once with OpenRouter and store it encrypted. Your answers and titles then run on it,
outside the server's budget; only its last 4 characters are ever shown. remove: back to the
server's key.

${CONNECTION}`,

  logout: `Usage: t3chat logout

Signs out of Supabase and deletes the stored session.`,
} as const
