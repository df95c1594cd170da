import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GENERATED_TYPES_FILE, renderSchemaTypes, schemaTypesAreCurrent } from '../src/codegen'

describe('generated schema types', () => {
  it('the committed file equals a fresh generation from the migrations', async () => {
    expect(await schemaTypesAreCurrent()).toBe(true)
  })

  it('a stale file is detected (what `db:codegen --verify` reports)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 't3chat-codegen-'))
    try {
      const stale = join(dir, 'db.ts')
      const committed = await readFile(GENERATED_TYPES_FILE, 'utf8')
      await writeFile(stale, committed.replace('  pinned: Generated<boolean>;\n', ''))
      expect(await schemaTypesAreCurrent(stale)).toBe(false)
      expect(await schemaTypesAreCurrent(join(dir, 'missing.ts'))).toBe(false)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('mirrors the check constraints and skips the migration tables', async () => {
    const text = await renderSchemaTypes()
    expect(text).toContain('status: "cancelled" | "completed" | "error" | "pending" | "streaming";')
    expect(text).toContain('role: "assistant" | "user";')
    expect(text).not.toMatch(/kysely_?migration/i)
  })
})
