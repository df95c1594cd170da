import { rm } from 'node:fs/promises'
import type { Command } from '../args'
import { ask, readStdin } from '../auth/prompt'
import { sessionPath } from '../auth/file-storage'
import { createSupabaseAuth } from '../auth/supabase'
import type { CliEnv } from '../config/env'
import { CliError } from '../errors'

const NEEDS_SUPABASE = new CliError(
  'Sign-in needs SUPABASE_URL and SUPABASE_ANON_KEY',
  "Set both to your Supabase project's values (Project Settings → API). A local server needs no login.",
  2,
)

/** `t3chat login`: email + password (or a one-time code), session stored 0600 in the config dir. */
export async function login(
  command: Extract<Command, { name: 'login' }>,
  env: CliEnv,
): Promise<number> {
  if (env.supabase === null) throw NEEDS_SUPABASE
  const auth = createSupabaseAuth(env.supabase, env.configDir)
  const email = command.email ?? (await ask('Email: '))
  if (!email) throw new CliError('No email given', 'Pass --email or type it when asked.', 2)

  if (command.otp) {
    const sent = await auth.client.auth.signInWithOtp({
      email,
      options: { shouldCreateUser: false },
    })
    if (sent.error) throw new CliError(`Could not send the code: ${sent.error.message}`)
    const code = await ask(`We sent a sign-in code to ${email}. Code: `)
    if (!code) throw new CliError('No code given', 'Run `t3chat login --otp` again.', 2)
    const verified = await auth.client.auth.verifyOtp({ email, token: code, type: 'email' })
    if (verified.error || !verified.data.session) {
      throw new CliError(
        `Sign-in failed: ${verified.error?.message ?? 'no session'}`,
        'Check the code (it expires quickly) and try again.',
      )
    }
  } else {
    const password = command.passwordStdin
      ? (await readStdin()).replace(/\r?\n$/, '')
      : await ask('Password: ', { hidden: true })
    if (!password)
      throw new CliError(
        'No password given',
        'Type it when asked, pipe it with --password-stdin, or use --otp.',
        2,
      )
    const result = await auth.client.auth.signInWithPassword({ email, password })
    if (result.error || !result.data.session) {
      throw new CliError(
        `Sign-in failed: ${result.error?.message ?? 'no session'}`,
        'Check your email and password, or try `t3chat login --otp`.',
      )
    }
  }
  process.stderr.write(`Signed in as ${email}. Session saved in ${sessionPath(env.configDir)}.\n`)
  return 0
}

/** `t3chat logout`: ends the Supabase session (best effort) and deletes the stored one. */
export async function logout(env: CliEnv): Promise<number> {
  if (env.supabase !== null) {
    const auth = createSupabaseAuth(env.supabase, env.configDir)
    // Revoking needs the network; the local session goes away either way.
    await auth.client.auth.signOut({ scope: 'local' }).catch(() => undefined)
  }
  await rm(sessionPath(env.configDir), { force: true })
  process.stderr.write('Signed out.\n')
  return 0
}
