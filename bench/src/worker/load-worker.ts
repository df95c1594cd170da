// Child process: a load generator. It drives streams with @t3chat/client (SSE or WS) or straight
// at the fake with the openai SDK, and answers the benchmark over IPC with what the client saw.
import OpenAI from 'openai'
import { cpuMs } from '../proc-stats'
import { createChatClient, type ChatClient } from '@t3chat/client'
import {
  ONE_ROUND_TRIP,
  type BenchUser,
  type Command,
  type Mode,
  type Reply,
  type Request,
  type SoakResult,
  type StreamResult,
  type TurnStyle,
} from './protocol'
import { directTurn, openT3chatTurn, type OpenTurn } from './turns'

let url = ''
let serverPid = 0
let users: BenchUser[] = []
let openai: OpenAI | null = null
let style: TurnStyle = ONE_ROUND_TRIP
const clients = new Map<string, ChatClient>()
/** Fresh conversation of each user, made by `prepare` for the next run. */
const conversations = new Map<number, string>()
const live: Array<{ client: ChatClient; turn: OpenTurn; ended: boolean }> = []

function send(reply: Reply): void {
  process.send?.(reply)
}

function userAt(index: number): BenchUser {
  const user = users[index]
  if (user === undefined) throw new Error(`no bench user #${index} (have ${users.length})`)
  return user
}

function clientOf(index: number, transport: 'sse' | 'ws'): ChatClient {
  const key = `${index}:${transport}`
  let client = clients.get(key)
  if (client === undefined) {
    const { token } = userAt(index)
    client = createChatClient({ url, getToken: () => token, transport })
    clients.set(key, client)
  }
  return client
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]
      if (item !== undefined) await fn(item)
    }
  })
  await Promise.all(lanes)
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i)

/** A fresh conversation per user (untimed), and for WS an open socket before the clock starts. */
async function prepare(mode: Mode, from: number, count: number, model: string): Promise<void> {
  if (mode === 'direct') return
  await pool(range(from, count), 50, async (index) => {
    const client = clientOf(index, mode)
    if (mode === 'ws') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('WebSocket warm-up timed out')), 15_000)
        const sub = client.events.subscribe(
          {},
          {
            onStarted() {
              clearTimeout(timer)
              sub.unsubscribe()
              resolve()
            },
            onError(error) {
              clearTimeout(timer)
              reject(error)
            },
          },
        )
      })
    }
    if (style.fresh) return
    const conversation = await client.conversation.create.mutate({ title: 'bench', model })
    conversations.set(index, conversation.id)
  })
}

function openTurn(mode: 'sse' | 'ws', index: number, model: string, timeoutMs: number) {
  const client = clientOf(index, mode)
  const conversationId = conversations.get(index)
  conversations.delete(index)
  // Without a prepared conversation the turn creates one (and its title job).
  const turn = openT3chatTurn(
    client,
    conversationId !== undefined ? { conversationId } : { model },
    timeoutMs,
    style.rounds,
  )
  return { client, turn }
}

async function run(c: Extract<Command, { kind: 'run' }>): Promise<StreamResult[]> {
  const tasks = range(c.from, c.count).map(async (index, i) => {
    await sleep((i * c.staggerMs) / Math.max(1, c.count))
    if (c.mode === 'direct') return directTurn(requireOpenai(), c.model, c.timeoutMs)
    return openTurn(c.mode, index, c.model, c.timeoutMs).turn.done
  })
  return Promise.all(tasks)
}

async function start(c: Extract<Command, { kind: 'start' }>): Promise<{ started: number }> {
  if (c.mode === 'direct') throw new Error('start: only t3chat streams can be held open')
  const mode = c.mode
  const opened = await Promise.all(
    range(c.from, c.count).map(async (index, i) => {
      await sleep((i * c.staggerMs) / Math.max(1, c.count))
      const entry = { ...openTurn(mode, index, c.model, c.timeoutMs), ended: false }
      void entry.turn.done.then(() => {
        entry.ended = true
      })
      live.push(entry)
      return entry.turn.firstDelta.then(
        () => true,
        () => false,
      )
    }),
  )
  return { started: opened.filter(Boolean).length }
}

/** Held streams that have not ended (a reading is only worth its live count), and their text so far. */
function liveState(): { streams: number; chars: number } {
  const open = live.filter((e) => !e.ended)
  return { streams: open.length, chars: open.reduce((n, e) => n + e.turn.chars(), 0) }
}

async function stopAll(): Promise<StreamResult[]> {
  const entries = live.splice(0)
  await pool(entries, 50, async ({ client, turn }) => {
    try {
      await client.chat.stop.mutate({ messageId: await turn.messageId })
    } catch {
      // it failed or ended already: its result says so
    }
  })
  return Promise.all(entries.map((e) => e.turn.done))
}

async function sequence(
  c: Extract<Command, { kind: 'sequence' }>,
): Promise<Record<string, StreamResult[]>> {
  const out: Record<string, StreamResult[]> = {}
  for (const mode of c.modes) out[mode] = []
  for (let i = 0; i < c.iterations; i++) {
    for (const [slot, mode] of c.modes.entries()) {
      if (mode !== 'direct') await prepare(mode, slot, 1, c.model)
      await sleep(c.pauseMs)
      const cpuBefore = cpuMs(serverPid)
      const result =
        mode === 'direct'
          ? await directTurn(requireOpenai(), c.model, c.timeoutMs)
          : await openTurn(mode, slot, c.model, c.timeoutMs).turn.done
      result.serverCpuMs = cpuMs(serverPid) - cpuBefore
      out[mode]?.push(result)
    }
  }
  return out
}

async function soak(c: Extract<Command, { kind: 'soak' }>): Promise<SoakResult> {
  const result: SoakResult = { ok: 0, failed: 0, errors: [], ttfts: [] }
  let taken = 0
  let finished = 0
  await Promise.all(
    range(c.from, c.concurrency).map(async (index, slot) => {
      const transport = slot % 2 === 0 ? 'sse' : 'ws'
      while (taken < c.turns) {
        taken++
        const r = await openTurn(transport, index, c.model, c.timeoutMs).turn.done
        if (r.ok) {
          result.ok++
          result.ttfts.push(r.ttftMs)
        } else {
          result.failed++
          if (result.errors.length < 10 && r.error !== null) result.errors.push(r.error)
        }
        if (++finished % 25 === 0) send({ event: 'progress', turns: 25 })
      }
    }),
  )
  send({ event: 'progress', turns: finished % 25 })
  return result
}

function requireOpenai(): OpenAI {
  if (openai === null) throw new Error('worker not initialised')
  return openai
}

function closeClients(): void {
  for (const client of clients.values()) client.close()
  clients.clear()
  conversations.clear()
}

async function handle(command: Command): Promise<unknown> {
  switch (command.kind) {
    case 'init':
      // Also used to point the worker at another server: forget the old one's clients.
      closeClients()
      url = command.url
      serverPid = command.serverPid
      users = command.users
      openai = new OpenAI({ apiKey: 'x', baseURL: command.upstreamBaseURL, maxRetries: 0 })
      return null
    case 'prepare':
      await prepare(command.mode, command.from, command.count, command.model)
      return null
    case 'run':
      return run(command)
    case 'start':
      return start(command)
    case 'stopAll':
      return stopAll()
    case 'liveState':
      return liveState()
    case 'sequence':
      return sequence(command)
    case 'soak':
      return soak(command)
    case 'closeClients':
      closeClients()
      return null
    case 'style':
      style = command.style
      return null
  }
}

process.on('message', (request: Request) => {
  handle(request.command).then(
    (result) => send({ id: request.id, ok: true, result }),
    (error: unknown) =>
      send({
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      }),
  )
})
process.on('disconnect', () => process.exit(0))
