import type { RedisResult } from '../scenarios/redis'
import type { HeadlineRow } from './results'

const f = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a')
const kib = (bytes: number) => f(bytes / 1024, 1)

/** The highest level (of those tried) up to which every level kept gap p99 under 100 ms. */
export function capacityOf(r: RedisResult, redis: boolean): number {
  let best = 0
  for (const run of r.capacity.filter((x) => x.redis === redis).sort((x, y) => x.level - y.level)) {
    if (run.failed > 0 || !(run.gapP99 < 100)) break
    best = run.level
  }
  return best
}

/** The issue's lines for several instances (the anchor: vercel's resumable-stream). */
export function redisHeadline(r: RedisResult): HeadlineRow[] {
  const off = capacityOf(r, false)
  const on = capacityOf(r, true)
  return [
    {
      metric: 'several instances: added latency per frame, follower on another instance, p50 / p99',
      transport: 'WS+Redis',
      figure: `${f(r.frames.added.p50)} / ${f(r.frames.added.p99)} ms`,
      values: [r.frames.added.p50, r.frames.added.p99],
      target: '≤ 1 / ≤ 5 ms',
      met: r.frames.added.p50 <= 1 && r.frames.added.p99 <= 5,
    },
    {
      metric: 'several instances: first frame after a resume on another instance, p50',
      transport: 'WS+Redis',
      figure: `${f(r.resume.other.p50)} ms (owner instance ${f(r.resume.owner.p50)} ms; the hub behind a bare WebSocket ${f(r.resume.bare.p50)} ms; hub alone ${f(r.resume.hub.p50)} ms)`,
      values: [r.resume.other.p50],
      target: '≤ 3 ms',
      met: r.resume.other.p50 <= 3,
    },
    {
      metric: `several instances: Redis commands per streamed token (${r.load.answers} answers at once)`,
      transport: 'Redis',
      figure: `${f(r.load.commandsPerToken, 3)} (${f(r.load.commandsPerFrame)} per frame received)`,
      values: [r.load.commandsPerToken],
      target: '≤ 0.5',
      met: r.load.commandsPerToken <= 0.5,
    },
    {
      metric: 'several instances: Redis memory per live answer',
      transport: 'Redis',
      figure: `${kib(r.load.bytesPerLiveAnswer)} KiB (${r.load.charsPerAnswer} chars each at the end)`,
      values: [r.load.bytesPerLiveAnswer],
      target: '—',
      met: null,
    },
    {
      metric: 'one instance: WS streams with gap p99 < 100 ms, REDIS_URL unset / set',
      transport: 'WS',
      figure: `${off} / ${on} (levels tried: ${[...new Set(r.capacity.map((x) => x.level))].join(', ')})`,
      values: [off, on],
      target: 'within 10%',
      met: off === 0 ? null : on >= off * 0.9,
    },
  ]
}

/** The scenario's section of the generated report. */
export function redisSection(r: RedisResult): string[] {
  const s = (x: { p50: number; p99: number }) => `${f(x.p50)} / ${f(x.p99)}`
  return [
    `### Several instances: two servers on Postgres + a private Redis ${r.redisVersion}`,
    '',
    `Answers owned by instance A, followed over WebSocket on A and on B (times in ms, p50 / p99).`,
    '',
    '| what | owner instance (A) | other instance (B) |',
    '| --- | --: | --: |',
    `| added per frame (B's arrival of a text offset minus A's), ${r.frames.answers} answers × ${r.frames.tokens} tokens | — | ${s(r.frames.added)} |`,
    `| gap between frames | ${s(r.frames.gapOwner)} | ${s(r.frames.gapOther)} |`,
    `| first frame after a resume (\`lastEventId\` = half the text: ${r.resume.missing.join('–')} chars missing) | ${s(r.resume.owner)} | ${s(r.resume.other)} |`,
    '',
    `A Redis hub alone in a third process (no API, no WebSocket: where resumable-stream's 2.3 ms was measured, from the resume call to its first chunk): \`attach\` at half the text → first frame ${s(r.resume.hub)} ms. ` +
      `The same hub in an idle fourth process behind a bare WebSocket server (no tRPC, no middleware: the machine's hops and the hub, without the API), request → first frame: ${s(r.resume.bare)} ms; a message to that process and back: ${s(r.resume.echo)} ms.`,
    '',
    `Under load, ${r.load.answers} answers × ${r.load.tokens} tokens at once on A, each followed on B: ` +
      `${r.load.commands} Redis commands = **${f(r.load.commandsPerToken, 3)} per token**, ${f(r.load.commandsPerFrame)} per frame received ` +
      `(${r.load.topCommands.map((x) => `${x.command} ${x.calls}`).join(', ')}); Redis memory ${kib(r.load.bytesPerLiveAnswer)} KiB per live answer half way, ` +
      `${kib(r.load.bytesPerEndedAnswer)} KiB per ended answer (kept a while after its end).`,
    '',
    '| REDIS_URL | streams | ok | TTFT p99 | gap p99 | server µs/token |',
    '| --- | --: | --: | --: | --: | --: |',
    ...r.capacity.map(
      (x) =>
        `| ${x.redis ? 'set' : 'unset'} | ${x.level} | ${x.ok}/${x.ok + x.failed} | ${f(x.ttftP99)} | ${f(x.gapP99)} | ${f(x.cpuPerTokenUs, 1)} |`,
    ),
    '',
  ]
}
