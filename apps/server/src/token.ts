import { loadOrCreateLocalAuth, mintLocalToken } from '@t3chat/auth'
import { EnvError, parseEnv } from './env'

// Prints a bearer token for the local server (local auth only): it is signed with the secret
// in the data directory, so only someone who can read that directory can mint one.
try {
  const env = parseEnv(process.env)
  if (env.SUPABASE_URL !== undefined) {
    process.stderr.write(
      't3chat: SUPABASE_URL is set: sign in with Supabase instead of minting a local token.\n',
    )
    process.exit(1)
  }
  const auth = await loadOrCreateLocalAuth(env.dataDir)
  process.stdout.write(`${await mintLocalToken(auth)}\n`)
} catch (error) {
  process.stderr.write(
    `t3chat: ${error instanceof EnvError || error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
}
