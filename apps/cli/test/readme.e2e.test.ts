import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Lexer } from 'marked'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { BIN, cliEnv } from './helpers/run-cli'
import { startTestServer, type TestServer } from './helpers/server'

// Each example is a cold CLI process: slow on a busy machine.
vi.setConfig({ testTimeout: 180_000 })

const APP_DIR = fileURLToPath(new URL('..', import.meta.url))
const README = join(APP_DIR, 'README.md')

let server: TestServer
let binDir: string

beforeAll(async () => {
  server = await startTestServer()
  // `t3chat` on PATH, as the README's install step leaves it.
  binDir = await mkdtemp(join(tmpdir(), 't3chat-cli-path-'))
  await symlink(BIN, join(binDir, 't3chat'))
})
afterAll(async () => {
  await server.close()
  await rm(binDir, { recursive: true, force: true })
})

/** Runs one README line with sh, as a user would paste it. */
function sh(line: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = cliEnv({ T3CHAT_URL: server.url, T3CHAT_DATA_DIR: server.dataDir })
  env.PATH = `${binDir}:${process.env.PATH ?? ''}`
  return new Promise((resolve) => {
    const child = execFile(
      'sh',
      ['-c', line],
      { cwd, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      },
    )
    // Nothing typed: stdin ends at once (as from a terminal with nothing piped).
    child.stdin?.end()
  })
}

async function codeBlocks(): Promise<Array<{ lang: string; text: string }>> {
  const tokens = new Lexer().lex(await readFile(README, 'utf8'))
  return tokens.flatMap((token) =>
    token.type === 'code' ? [{ lang: String(token.lang ?? ''), text: String(token.text) }] : [],
  )
}

describe('apps/cli/README.md', () => {
  it('its recorded session is one code block (the fences inside it do not break it)', async () => {
    const session = (await codeBlocks()).find((block) => block.text.startsWith('$ t3chat --demo'))
    expect(session?.text).toContain('```sh')
    expect(session?.text).toContain('Ctrl-C exit')
  })

  it('every one-shot example runs as written, stdout exactly the answer or the JSON', async () => {
    const markdown = await readFile(README, 'utf8')
    const section = markdown.slice(markdown.indexOf('## One-shot commands'))
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
    const lines = block.split('\n').filter((line) => line.trim() !== '')
    expect(lines.length).toBeGreaterThanOrEqual(8)
    for (const line of lines) {
      const result = await sh(line, APP_DIR)
      expect({ line, code: result.code, stderr: result.stderr }).toEqual({
        line,
        code: 0,
        stderr: '',
      })
      expect(result.stdout, line).not.toBe('')
    }
    const first = await sh(lines[0] ?? '', APP_DIR)
    expect(first.stdout).toBe('Explain tRPC in one paragraph\n')
    const json = lines.find((line) => line.includes('--json')) ?? ''
    expect((await sh(json, APP_DIR)).stdout).toBe('completed\n')
    const piped = (await sh(lines[1] ?? '', APP_DIR)).stdout
    expect(piped.startsWith(`Summarize this:\n\n${await readFile(README, 'utf8')}`.trimEnd())).toBe(
      true,
    )
  })

  it('the pnpm form from a checkout prints only the JSON', async () => {
    const markdown = await readFile(README, 'utf8')
    const line = /From a checkout without installing: `([^`]+)`/.exec(markdown)?.[1] ?? ''
    expect(line).toMatch(/^pnpm -s chat ask .* --json \| jq \.$/)
    const result = await sh(line.replace(/ \| jq \.$/, ''), APP_DIR)
    expect(result.code).toBe(0)
    const parsed = JSON.parse(result.stdout) as { assistantMessage: { status: string } }
    expect(parsed.assistantMessage.status).toBe('completed')
  })
})
