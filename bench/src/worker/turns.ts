import { randomUUID } from 'node:crypto'
import type OpenAI from 'openai'
import type { ChatClient, Message } from '@t3chat/client'
import type { StreamResult } from './protocol'

/** The user message of every benchmark turn. */
export const PROMPT = 'Tell me something, please.'

/** A turn in flight: its message id once sent, its first delta, its end. */
export interface OpenTurn {
  messageId: Promise<string>
  firstDelta: Promise<void>
  done: Promise<StreamResult>
  /** The answer's text received so far (UTF-16 units). */
  chars(): number
}

function emptyResult(): StreamResult {
  return {
    ok: false,
    error: null,
    ttftMs: Number.NaN,
    gaps: [],
    frames: 0,
    tokens: 0,
    chars: 0,
    status: 'none',
    serverCpuMs: Number.NaN,
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined
  let reject: (error: unknown) => void = () => undefined
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  promise.catch(() => undefined)
  return { promise, resolve, reject }
}

/**
 * One chat turn through t3chat, followed until the final event. `rounds` 1: `chat.stream` (on an
 * answer id chosen here) opened together with `chat.send`; 2: `chat.send`, then `chat.stream` on
 * the id it returned (a plain client). TTFT is measured from the send call to the first delta the
 * client sees; gaps between delta frames.
 */
export function openT3chatTurn(
  client: ChatClient,
  input: { conversationId?: string; model?: string },
  timeoutMs: number,
  rounds: 1 | 2 = 1,
): OpenTurn {
  const result = emptyResult()
  const id = deferred<string>()
  const first = deferred<void>()
  const done = (async (): Promise<StreamResult> => {
    const started = performance.now()
    try {
      const chosenId = rounds === 1 ? randomUUID() : null
      const sendInput = {
        clientMessageId: randomUUID(),
        content: PROMPT,
        ...(chosenId !== null ? { assistantMessageId: chosenId } : {}),
        ...(input.conversationId !== undefined ? { conversationId: input.conversationId } : {}),
        ...(input.model !== undefined ? { model: input.model } : {}),
      }
      const follow = (assistantMessageId: string) => {
        let cancel: (error: Error) => void = () => undefined
        const final = new Promise<Message>((resolve, reject) => {
          let last = 0
          let settled = false
          const end = (fn: () => void) => {
            if (settled) return
            settled = true
            clearTimeout(timer)
            sub.unsubscribe()
            fn()
          }
          cancel = (error) => end(() => reject(error))
          const timer = setTimeout(
            () => end(() => reject(new Error(`no final within ${timeoutMs} ms`))),
            timeoutMs,
          )
          const sub = client.chat.stream.subscribe(
            { messageId: assistantMessageId },
            {
              onData({ data }) {
                const now = performance.now()
                if (data.type === 'delta') {
                  if (result.frames === 0) {
                    result.ttftMs = now - started
                    first.resolve()
                  } else result.gaps.push(now - last)
                  last = now
                  result.frames++
                  result.chars += data.text.length
                } else if (data.type === 'final') {
                  end(() => resolve(data.message))
                }
              },
              onError: (error) => end(() => reject(error)),
              onComplete: () =>
                end(() => reject(new Error('the stream ended without a final event'))),
            },
          )
        })
        final.catch(() => undefined)
        return { final, cancel }
      }
      let final: Promise<Message>
      if (chosenId !== null) {
        // One round trip: the answer's id is chosen here, so the subscription opens together
        // with chat.send (the server waits for the answer to go live).
        const followed = follow(chosenId)
        final = followed.final
        try {
          const sent = await client.chat.send.mutate(sendInput)
          id.resolve(sent.assistantMessage.id)
        } catch (error) {
          followed.cancel(error instanceof Error ? error : new Error(String(error)))
          throw error
        }
      } else {
        // Two round trips: the answer's id comes back from chat.send.
        const sent = await client.chat.send.mutate(sendInput)
        id.resolve(sent.assistantMessage.id)
        final = follow(sent.assistantMessage.id).final
      }
      const answer = await final
      result.status = answer.status
      result.tokens = answer.usage?.completionTokens ?? 0
      result.ok = answer.status === 'completed' || answer.status === 'cancelled'
      if (!result.ok)
        result.error = `${answer.status}: ${answer.error?.code ?? ''} ${answer.error?.message ?? ''}`
    } catch (error) {
      result.error = message(error)
    }
    id.reject(new Error(result.error ?? 'not sent'))
    first.reject(new Error(result.error ?? 'no delta'))
    return result
  })()
  return { messageId: id.promise, firstDelta: first.promise, done, chars: () => result.chars }
}

/** The floor: the same stream straight from the fake with the openai SDK (stream: true). */
export async function directTurn(
  openai: OpenAI,
  model: string,
  timeoutMs: number,
): Promise<StreamResult> {
  const result = emptyResult()
  const started = performance.now()
  let last = 0
  try {
    const stream = await openai.chat.completions.create(
      { model, messages: [{ role: 'user', content: PROMPT }], stream: true },
      { signal: AbortSignal.timeout(timeoutMs) },
    )
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta?.content
      if (text) {
        const now = performance.now()
        if (result.frames === 0) result.ttftMs = now - started
        else result.gaps.push(now - last)
        last = now
        result.frames++
        result.chars += text.length
      }
      if (chunk.usage) result.tokens = chunk.usage.completion_tokens
    }
    result.ok = result.frames > 0
    result.status = result.ok ? 'completed' : 'empty'
  } catch (error) {
    result.error = message(error)
  }
  return result
}
