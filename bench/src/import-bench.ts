// `pnpm --filter @t3chat/bench import [--conversations N] [--pglite]`: imports a generated
// ChatGPT-shaped conversations.json (N conversations, default 10,000; not kept) through the
// CLI (`t3chat import FILE`) against the real server in its own process, and reports time,
// throughput and the peak and sampled RSS of both processes (is memory flat?).
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { ImportSummary } from '@t3chat/client'
import { writeChatGptExport } from '@t3chat/client/testing'
import { exited, onInterrupt, spawnLogged } from './children'
import { createDatabase, DEFAULT_ADMIN_URL, dropDatabase } from './postgres'
import { rssKiB } from './proc-stats'
import { repoRoot, startServerProcess } from './server-process'

const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '10000' },
    pglite: { type: 'boolean', default: false },
  },
})
const conversations = Number(values.conversations)
if (!Number.isInteger(conversations) || conversations < 1)
  throw new Error('--conversations must be a positive whole number')

const dir = await mkdtemp(join(tmpdir(), 't3chat-import-bench-'))
const dbName = `t3chat_import_bench_${process.pid}`
const databaseUrl = values.pglite ? null : await createDatabase(DEFAULT_ADMIN_URL, dbName)
const cleanup = async () => {
  if (databaseUrl !== null) await dropDatabase(DEFAULT_ADMIN_URL, dbName)
  await rm(dir, { recursive: true, force: true })
}
const forget = onInterrupt(cleanup)

try {
  const file = join(dir, 'conversations.json')
  const generated = performance.now()
  await writeChatGptExport(file, { conversations, turns: 4, messageLength: 600 })
  const bytes = (await stat(file)).size
  console.log(
    `generated ${conversations} conversations, ${(bytes / 2 ** 20).toFixed(1)} MiB, in ${((performance.now() - generated) / 1000).toFixed(1)} s`,
  )

  const dataDir = join(dir, 'data')
  const server = await startServerProcess({
    databaseUrl,
    dataDir,
    // Importing asks no model: nothing listens there.
    upstreamBaseURL: 'http://127.0.0.1:9/v1',
    logFile: join(dir, 'server.log'),
  })
  let stdout = ''
  const started = performance.now()
  const cli = spawnLogged(
    process.execPath,
    [join(repoRoot, 'apps/cli/bin/t3chat.js'), 'import', file, '--json'],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: dir, T3CHAT_URL: server.url, T3CHAT_DATA_DIR: dataDir },
      logFile: join(dir, 'cli.log'),
      onLine: (line) => (stdout += line),
    },
  )
  const cliPid = cli.pid ?? 0
  const samples: Array<{ s: number; cli: number; server: number }> = []
  const sampler = setInterval(() => {
    try {
      const sample = {
        s: (performance.now() - started) / 1000,
        cli: rssKiB(cliPid),
        server: rssKiB(server.pid),
      }
      // An exited CLI not yet reaped has no VmRSS (NaN): not a sample.
      if (Number.isFinite(sample.cli) && Number.isFinite(sample.server)) samples.push(sample)
    } catch {
      // the CLI has just exited
    }
  }, 250)
  await exited(cli)
  clearInterval(sampler)
  const seconds = (performance.now() - started) / 1000
  await server.stop()

  const summary = JSON.parse(stdout) as ImportSummary
  const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`
  const peak = (key: 'cli' | 'server') => Math.max(...samples.map((x) => x[key]))
  const at = (share: number) =>
    samples[Math.min(samples.length - 1, Math.floor(samples.length * share))]
  console.log(
    `imported ${summary.imported} (duplicates ${summary.duplicates}, failed ${summary.failed}), ${summary.messages} messages, ${summary.skipped} skipped`,
  )
  console.log(
    `CLI wall time ${seconds.toFixed(1)} s (import loop ${(summary.elapsedMs / 1000).toFixed(1)} s): ${(summary.done / (summary.elapsedMs / 1000)).toFixed(0)} conversations/s`,
  )
  console.log(`peak RSS: CLI ${mib(peak('cli'))}, server ${mib(peak('server'))}`)
  console.log(
    `RSS at 10/50/90% of the run: CLI ${[0.1, 0.5, 0.9].map((q) => mib(at(q)?.cli ?? 0)).join(' / ')}; server ${[0.1, 0.5, 0.9].map((q) => mib(at(q)?.server ?? 0)).join(' / ')}`,
  )
  console.log(`database: ${databaseUrl === null ? 'embedded PGlite' : 'Postgres'}`)
  if (summary.failed > 0) process.exitCode = 1
} finally {
  forget()
  await cleanup()
}
