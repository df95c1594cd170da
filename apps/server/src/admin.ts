// `pnpm admin budget <user id or email> <usd|none> [--day]`: sets a user's monthly (or with
// --day daily) budget override in the database the server uses; `none` removes the override
// (the server's BUDGET_USD_PER_USER_* applies again). There is no admin API: this acts on the
// database directly, with the server's own configuration.
import { createDb, embeddedDatabaseDir, setBudgetOverride } from '@t3chat/db'
import { EnvError, parseEnv } from './env'

const USAGE =
  'usage: pnpm admin budget <user id or email> <usd|none> [--day]\n' +
  '  sets the user’s monthly budget (with --day: daily) in USD; `none` removes the override'

export async function runAdmin(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const args = argv.filter((a) => !a.startsWith('--'))
  const [command, user, amount] = args
  if (command !== 'budget' || user === undefined || amount === undefined || args.length > 3)
    throw new EnvError(USAGE)
  const usd = amount === 'none' ? null : Number(amount)
  if (usd !== null && (!/^\d+(\.\d+)?$/.test(amount) || !Number.isFinite(usd) || usd > 1e8))
    throw new EnvError(`${amount}: not an amount in USD (like 5 or 0.50), nor none.\n${USAGE}`)
  const period = argv.includes('--day') ? 'day' : 'month'
  const parsed = parseEnv(env)
  const db = await createDb(
    parsed.DATABASE_URL !== undefined
      ? { connectionString: parsed.DATABASE_URL }
      : { dataDir: embeddedDatabaseDir(parsed.dataDir) },
  )
  try {
    const id = await setBudgetOverride(db, { user, period, usd })
    if (id === undefined) throw new EnvError(`${user}: no such user (by id or email).`)
    return usd === null
      ? `User ${id}: ${period === 'day' ? 'daily' : 'monthly'} budget override removed (the server's default applies).`
      : `User ${id}: ${period === 'day' ? 'daily' : 'monthly'} budget set to $${usd}.`
  } finally {
    await db.destroy()
  }
}

if (process.argv[1]?.endsWith('admin.ts')) {
  try {
    process.stdout.write(`${await runAdmin(process.argv.slice(2), process.env)}\n`)
  } catch (error) {
    process.stderr.write(`t3chat: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
}
