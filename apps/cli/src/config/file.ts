import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as z from 'zod'
import { CliError } from '../errors'

const httpUrl = z.url({
  protocol: /^https?$/,
  error: 'must be a URL starting with http:// or https://',
})

const role = z.strictObject({
  system: z.string().min(1, 'must be a non-empty system prompt'),
  model: z.string().min(1).optional(),
})

const schema = z.strictObject({
  url: httpUrl.optional(),
  model: z.string().min(1, 'must be a model id').optional(),
  transport: z.enum(['sse', 'ws']).optional(),
  roles: z
    .record(z.string().regex(/^[\w.-]+$/, 'role names are letters, digits, . _ -'), role)
    .optional(),
})

/** A named role: a system prompt and optionally its own model (`ask -r NAME`, `/role NAME`). */
export type Role = z.infer<typeof role>

/** The user's config file, `<configDir>/config.json`; every key optional. */
export type ConfigFile = z.infer<typeof schema>

/** Where the config file lives in a config directory. */
export function configPath(configDir: string): string {
  return join(configDir, 'config.json')
}

/**
 * Reads and validates the config file; a missing file is an empty config. A bad file stops
 * the CLI (exit 2) with one line naming the file and the key.
 */
export async function readConfigFile(configDir: string): Promise<ConfigFile> {
  const path = configPath(configDir)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')
      return {}
    throw new CliError(`Cannot read ${path} (${String(error)})`, null, 2)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new CliError(
      `${path} is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      null,
      2,
    )
  }
  const result = schema.safeParse(data)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.map(String).join('.')
      return issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((k) => `"${[key, k].filter(Boolean).join('.')}"`).join(', ')}`
        : `"${key}" ${issue.message}`
    })
    throw new CliError(
      `Invalid config file ${path}: ${lines.join('; ')}`,
      'Keys: url, model, transport (sse|ws), roles.<name>.{system, model}',
      2,
    )
  }
  return result.data
}
