// `pnpm --filter @t3chat/bench bench:cli`: cold start-up of the compiled CLI (apps/cli), the
// median of 10 fresh processes per command, against the real server on the fake upstream, and
// the embedded (PGlite) server's start when no server answers. Prints a markdown table.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { summarize } from './stats'
import { repoRoot, startFakeProcess, startServerProcess } from './server-process'

// T3CHAT_BENCH_CLI_BIN compares another build (e.g. another checkout's bin).
const BIN = process.env.T3CHAT_BENCH_CLI_BIN ?? join(repoRoot, 'apps', 'cli', 'bin', 't3chat.js')
const RUNS = 10

/** Milliseconds from spawn to the first stdout byte, and to the exit. */
function timeCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ firstOutputMs: number; exitMs: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    let firstOutputMs = Number.NaN
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stdout.once('data', () => (firstOutputMs = performance.now() - start))
    child.stdout.resume()
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.once('exit', (code) => {
      if (code !== 0)
        reject(new Error(`t3chat ${args.join(' ')} exited ${String(code)}: ${stderr}`))
      else resolve({ firstOutputMs, exitMs: performance.now() - start })
    })
  })
}

async function medianOf(
  args: string[],
  env: Record<string, string>,
  pick: 'firstOutputMs' | 'exitMs',
): Promise<number> {
  const samples: number[] = []
  for (let i = 0; i < RUNS; i++) samples.push((await timeCli(args, env))[pick])
  return Math.round(summarize(samples).p50)
}

const dir = mkdtempSync(join(tmpdir(), 't3chat-bench-cli-'))
const fake = await startFakeProcess(join(dir, 'fake.log'))
const dataDir = join(dir, 'data')
const server = await startServerProcess({
  databaseUrl: null,
  dataDir,
  upstreamBaseURL: fake.baseURL,
  logFile: join(dir, 'server.log'),
})
try {
  const env = { T3CHAT_URL: server.url, T3CHAT_DATA_DIR: dataDir, HOME: dir }
  await timeCli(['ask', 'warm up', '--model', 'fake/echo'], env)
  const rows: Array<[string, number, string]> = [
    ['t3chat --version', await medianOf(['--version'], env, 'exitMs'), '≤ 300'],
    ['t3chat list (running server)', await medianOf(['list'], env, 'exitMs'), '≤ 300'],
    [
      't3chat ask, first output (fake/echo: no model wait)',
      await medianOf(['ask', 'hi', '--model', 'fake/echo'], env, 'firstOutputMs'),
      '≤ 400 + TTFT',
    ],
  ]
  await server.stop()
  // No server: the CLI starts its own on the same (migrated) data directory.
  const embedded = { T3CHAT_DATA_DIR: dataDir, HOME: dir }
  rows.push([
    't3chat list (embedded PGlite server)',
    await medianOf(['list'], embedded, 'exitMs'),
    '≤ 2000 (server ready)',
  ])
  process.stdout.write(
    `| command (median of ${RUNS} cold starts) | ms | target |\n| --- | ---: | --- |\n${rows
      .map(([name, ms, target]) => `| ${name} | ${ms} | ${target} |`)
      .join('\n')}\n`,
  )
} finally {
  await server.stop()
  await fake.stop()
  rmSync(dir, { recursive: true, force: true })
}
