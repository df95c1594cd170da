import WebSocket from 'ws'

/**
 * A connection to a server process's V8 inspector (the server runs with `--inspect=127.0.0.1:0`),
 * used only by the memory scenarios: a full garbage collection before a reading turns "RSS
 * after some pause" into "what live streams really hold".
 */
export class Inspector {
  private nextId = 1
  private readonly pending = new Map<number, (result: unknown) => void>()
  private chunks: string[] | null = null

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as {
        id?: number
        method?: string
        params?: { chunk?: string }
        result?: unknown
      }
      if (message.method === 'HeapProfiler.addHeapSnapshotChunk') {
        this.chunks?.push(message.params?.chunk ?? '')
        return
      }
      if (message.id === undefined) return
      this.pending.get(message.id)?.(message.result)
      this.pending.delete(message.id)
    })
  }

  static async connect(url: string): Promise<Inspector> {
    const socket = new WebSocket(url)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return new Inspector(socket)
  }

  private call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`inspector: ${method} timed out`)), 120_000)
      this.pending.set(id, (result) => {
        clearTimeout(timer)
        resolve(result as T)
      })
      this.socket.send(JSON.stringify({ id, method, params }))
    })
  }

  /** A full, synchronous garbage collection in the inspected process. */
  async collectGarbage(): Promise<void> {
    await this.call('HeapProfiler.collectGarbage')
  }

  /** The JS heap in use, KiB. */
  async heapUsedKiB(): Promise<number> {
    const usage = await this.call<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage')
    return usage.usedSize / 1024
  }

  /** A heap snapshot (after a full GC, as V8 takes them), summed by constructor / object kind. */
  async heapByKind(): Promise<Map<string, { count: number; bytes: number }>> {
    this.chunks = []
    await this.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false })
    const text = this.chunks.join('')
    this.chunks = null
    return summarizeSnapshot(JSON.parse(text) as HeapSnapshot)
  }

  close(): void {
    this.socket.close()
  }
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: unknown[] } }
  nodes: number[]
  strings: string[]
}

/** Self size per kind: the constructor name for objects, `(type)` for everything else. */
export function summarizeSnapshot(
  heap: HeapSnapshot,
): Map<string, { count: number; bytes: number }> {
  const fields = heap.snapshot.meta.node_fields
  const types = (heap.snapshot.meta.node_types[0] ?? []) as string[]
  const width = fields.length
  const typeAt = fields.indexOf('type')
  const nameAt = fields.indexOf('name')
  const sizeAt = fields.indexOf('self_size')
  const out = new Map<string, { count: number; bytes: number }>()
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt] ?? 0] ?? '?'
    const name = heap.strings[heap.nodes[i + nameAt] ?? 0] ?? '?'
    const kind = type === 'object' || type === 'native' ? name : `(${type})`
    const row = out.get(kind) ?? { count: 0, bytes: 0 }
    row.count++
    row.bytes += heap.nodes[i + sizeAt] ?? 0
    out.set(kind, row)
  }
  return out
}

/** What `n` more live streams added, per stream, by kind (largest first). */
export function perStreamGrowth(
  before: Map<string, { count: number; bytes: number }>,
  after: Map<string, { count: number; bytes: number }>,
  streams: number,
  top = 15,
): Array<{ kind: string; bytesPerStream: number; objectsPerStream: number }> {
  const rows = [...after.entries()].map(([kind, a]) => {
    const b = before.get(kind) ?? { count: 0, bytes: 0 }
    return {
      kind,
      bytesPerStream: Math.round((a.bytes - b.bytes) / streams),
      objectsPerStream: Math.round(((a.count - b.count) / streams) * 10) / 10,
    }
  })
  return rows.sort((x, y) => y.bytesPerStream - x.bytesPerStream).slice(0, top)
}
