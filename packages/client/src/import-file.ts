import { createReadStream } from 'node:fs'
import { open, readFile, stat } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import streamArray from 'stream-json/streamers/stream-array.js'
import type { ChatClient } from './create-chat-client'

/** Where an import of a file stands (after each conversation). */
export interface ImportProgress {
  /** Conversations answered so far (imported, duplicate or failed). */
  done: number
  imported: number
  duplicates: number
  failed: number
  /** Bytes of the file read so far, and its size: the share of the file behind us. */
  bytesRead: number
  totalBytes: number
  elapsedMs: number
}

/** One conversation of the file the server refused, and why. */
export interface ImportFailure {
  /** Position in the file (0-based). */
  index: number
  title: string | null
  reason: string
}

/** The end of an import of a file. */
export interface ImportSummary extends ImportProgress {
  /** Messages created, over all imported conversations (every branch). */
  messages: number
  /** Nodes and parts the server left out (system, tool and hidden nodes, non-text parts). */
  skipped: number
  failures: ImportFailure[]
}

/** Options of {@link importExportFile}. */
export interface ImportFileOptions {
  /** `chatgpt`: a `conversations.json`; `t3chat`: one exported conversation or an array of them. */
  format: 'chatgpt' | 't3chat'
  /** Calls in flight at once (default 4). */
  concurrency?: number
  /** Called after every conversation. */
  onProgress?: (progress: ImportProgress) => void
}

/**
 * Streams the conversations of an export file one by one, with constant memory however big
 * the file (a top-level JSON array is parsed element by element; a single object is one
 * conversation). `bytesRead()` says how far into the file the parser is.
 */
export async function* readExportFile(
  path: string,
): AsyncGenerator<{ index: number; data: unknown; bytesRead: number }> {
  if ((await firstSignificantByte(path)) !== '[') {
    const size = (await stat(path)).size
    yield { index: 0, data: JSON.parse(await readFile(path, 'utf8')) as unknown, bytesRead: size }
    return
  }
  const file = createReadStream(path, { highWaterMark: 256 * 1024 })
  const elements = streamArray.withParserAsStream({ streamValues: false })
  const done = pipeline(file, elements)
  // Keep the pipeline's rejection handled until we await it below.
  done.catch(() => undefined)
  for await (const item of elements as AsyncIterable<{ key: number; value: unknown }>) {
    yield { index: item.key, data: item.value, bytesRead: file.bytesRead }
  }
  await done
}

/**
 * Imports every conversation of an export file, one `conversation.import` call per
 * conversation (each alone in its request, so each stays within the body limit), a few at a
 * time. Refusals are collected, not thrown; a file that is not valid JSON throws.
 *
 * @example
 * const summary = await importExportFile(client, 'conversations.json', {
 *   format: 'chatgpt',
 *   onProgress: (p) => process.stderr.write(`\r${p.done} conversations`),
 * })
 */
export async function importExportFile(
  client: ChatClient,
  path: string,
  opts: ImportFileOptions,
): Promise<ImportSummary> {
  const started = performance.now()
  const totalBytes = (await stat(path)).size
  const summary: ImportSummary = {
    done: 0,
    imported: 0,
    duplicates: 0,
    failed: 0,
    bytesRead: 0,
    totalBytes,
    elapsedMs: 0,
    messages: 0,
    skipped: 0,
    failures: [],
  }
  const concurrency = Math.max(1, opts.concurrency ?? 4)
  const inFlight = new Set<Promise<void>>()

  async function importOne(index: number, data: unknown): Promise<void> {
    try {
      const result = await client.conversation.import.mutate(
        { format: opts.format, data },
        { context: { skipBatch: true } },
      )
      if (result.duplicate) summary.duplicates++
      else {
        summary.imported++
        summary.messages += result.messageCount
        summary.skipped += result.skipped
      }
    } catch (error) {
      summary.failed++
      summary.failures.push({
        index,
        title: titleOf(data),
        reason: error instanceof Error ? error.message : String(error),
      })
    }
    summary.done++
    summary.elapsedMs = performance.now() - started
    opts.onProgress?.(progressOf(summary))
  }

  for await (const { index, data, bytesRead } of readExportFile(path)) {
    summary.bytesRead = bytesRead
    const call = importOne(index, data).finally(() => inFlight.delete(call))
    inFlight.add(call)
    // Reading waits while the window is full: memory stays bounded by `concurrency` items.
    if (inFlight.size >= concurrency) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
  summary.bytesRead = totalBytes
  summary.elapsedMs = performance.now() - started
  summary.failures.sort((a, b) => a.index - b.index)
  return summary
}

function progressOf(s: ImportSummary): ImportProgress {
  const { done, imported, duplicates, failed, bytesRead, totalBytes, elapsedMs } = s
  return { done, imported, duplicates, failed, bytesRead, totalBytes, elapsedMs }
}

function titleOf(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null
  const direct = 'title' in data ? data.title : undefined
  if (typeof direct === 'string') return direct
  const nested = 'conversation' in data ? data.conversation : undefined
  if (typeof nested === 'object' && nested !== null && 'title' in nested)
    return typeof nested.title === 'string' ? nested.title : null
  return null
}

async function firstSignificantByte(path: string): Promise<string | null> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(4096)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    const text = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
    return /\S/.exec(text)?.[0] ?? null
  } finally {
    await handle.close()
  }
}
