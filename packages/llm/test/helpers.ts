import type { LlmProvider, StreamEvent, StreamRequest } from '../src/index'
import { LlmError } from '../src/index'

/** Everything one stream produced: its events, its text, and the error it ended with. */
export interface Collected {
  events: StreamEvent[]
  text: string
  error: LlmError | null
}

export async function collect(
  llm: LlmProvider,
  req: Omit<StreamRequest, 'signal'> & { signal?: AbortSignal },
): Promise<Collected> {
  const events: StreamEvent[] = []
  let text = ''
  let error: LlmError | null = null
  try {
    for await (const ev of llm.stream({
      ...req,
      signal: req.signal ?? new AbortController().signal,
    })) {
      events.push(ev)
      if (ev.type === 'delta') text += ev.text
    }
  } catch (err) {
    if (!(err instanceof LlmError)) throw err
    error = err
  }
  return { events, text, error }
}

export const hello = [{ role: 'user' as const, content: 'Hello there, fake model!' }]
