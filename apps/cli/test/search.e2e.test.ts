import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/run-cli'
import { useCliServer } from './helpers/server'

const cli = useCliServer()

describe('t3chat search (the built CLI, against a real server)', () => {
  it('prints the hits with their conversation; --json prints the page', async () => {
    const asked = await runCli(['ask', 'The zeppelin over Zürich', '--model', 'fake/echo'], {
      env: cli.env,
    })
    expect(asked.code).toBe(0)

    const found = await runCli(['search', 'zurich', 'zepp'], { env: cli.env })
    expect(found.stderr).toBe('')
    expect(found.code).toBe(0)
    const { items } = await cli.server.client.conversation.list.query({ limit: 1 })
    const id = items[0]?.id ?? ''
    expect(found.stdout).toContain(id.slice(0, 8))
    expect(found.stdout).toContain('#1 user')
    expect(found.stdout).toContain('The zeppelin over Zürich')

    const json = await runCli(['search', 'zurich', '--json'], { env: cli.env })
    const page = JSON.parse(json.stdout) as { items: Array<{ conversationId: string }> }
    expect(page.items.length).toBeGreaterThan(0)
    expect(page.items.every((i) => i.conversationId === id)).toBe(true)

    const none = await runCli(['search', 'nothingmatcheshere '], { env: cli.env })
    expect(none.code).toBe(0)
    expect(none.stderr).toContain('Nothing matches')

    const bad = await runCli(['search', '--', '-zeppelin'], { env: cli.env })
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('add a word to find')
  })
})
