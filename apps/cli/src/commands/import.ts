import { stat } from 'node:fs/promises'
import { importExportFile, type ImportProgress, type ImportSummary } from '@t3chat/client'
import type { Command } from '../args'
import { openSession } from '../connect/session'
import type { CliEnv } from '../config/env'
import { CliError } from '../errors'

/** `t3chat import`: every conversation of an export file, with progress and a summary. */
export async function importCommand(
  command: Extract<Command, { name: 'import' }>,
  env: CliEnv,
): Promise<number> {
  const size = await stat(command.file).then(
    (s) => s.size,
    () => null,
  )
  if (size === null) throw new CliError(`cannot read ${command.file}`, 'Check the path.')
  const session = await openSession(env, command.global)
  const tty = process.stderr.isTTY
  try {
    const summary = await importExportFile(session.client, command.file, {
      format: command.format,
      concurrency: 8,
      ...(tty ? { onProgress: (p: ImportProgress) => process.stderr.write(`\r${bar(p)}`) } : {}),
    })
    if (tty) process.stderr.write('\n')
    process.stdout.write(command.json ? `${JSON.stringify(summary)}\n` : summaryText(summary))
    return summary.failed > 0 ? 1 : 0
  } finally {
    await session.close()
  }
}

/** `[#######.........]  45%  1,234 conversations  12.3 s` (the share is of the file's bytes). */
export function bar(p: ImportProgress): string {
  const share = p.totalBytes === 0 ? 1 : Math.min(1, p.bytesRead / p.totalBytes)
  const width = 24
  const filled = Math.round(share * width)
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${p.done.toLocaleString('en')} conversations  ${(p.elapsedMs / 1000).toFixed(1)} s`
}

export function summaryText(s: ImportSummary): string {
  const rate = s.elapsedMs > 0 ? Math.round((s.done / s.elapsedMs) * 1000) : s.done
  const lines = [
    `Imported ${s.imported} conversation${s.imported === 1 ? '' : 's'} (${s.messages} messages) in ${(s.elapsedMs / 1000).toFixed(1)} s, ${rate}/s.`,
    `Duplicates (imported before): ${s.duplicates}. Skipped nodes and parts: ${s.skipped}. Failed: ${s.failed}.`,
  ]
  for (const f of s.failures)
    lines.push(`  #${f.index + 1}${f.title === null ? '' : ` "${f.title}"`}: ${f.reason}`)
  return `${lines.join('\n')}\n`
}
