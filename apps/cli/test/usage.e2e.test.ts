import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/run-cli'
import { useCliServer } from './helpers/server'

const cli = useCliServer()

describe('t3chat usage and t3chat key (the built CLI, against a real server)', () => {
  it('usage prints a row per day with a bar and the total; --by model --json prints the summary', async () => {
    const asked = await runCli(['ask', 'What does this cost?', '--model', 'fake/echo'], {
      env: cli.env,
    })
    expect(asked.code).toBe(0)

    const table = await runCli(['usage'], { env: cli.env })
    expect(table.stderr).toBe('')
    expect(table.code).toBe(0)
    const today = new Date().toISOString().slice(0, 10)
    expect(table.stdout).toMatch(new RegExp(`${today} .*answers .*tokens .*\\$[0-9.]+ █+`))
    expect(table.stdout).toMatch(/^total /m)

    const json = await runCli(['usage', '--by', 'model', '--json'], { env: cli.env })
    const summary = JSON.parse(json.stdout) as { rows: Array<{ key: string; answers: number }> }
    expect(summary.rows.find((r) => r.key === 'fake/echo')?.answers).toBe(1)

    const bad = await runCli(['usage', '--by', 'week'], { env: cli.env })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--by must be day or model')
  })

  it('key set reads the key from stdin and shows only its last 4; key remove takes it away', async () => {
    const key = 'sk-or-v1-cli0123456789abcdefwxyz'
    const set = await runCli(['key', 'set'], { env: cli.env, stdin: `${key}\n` })
    expect(set.stderr).toBe('')
    expect(set.code).toBe(0)
    expect(set.stdout).toContain('…wxyz is set')
    expect(set.stdout).not.toContain(key.slice(0, -4))

    const removed = await runCli(['key', 'remove'], { env: cli.env })
    expect(removed.code).toBe(0)
    expect(removed.stdout).toContain('removed')

    const empty = await runCli(['key', 'set'], { env: cli.env, stdin: '' })
    expect(empty.code).toBe(1)
    expect(empty.stderr).toContain('No key given')
  })
})
