/**
 * How an answer's frames are stored in its Redis Stream: one entry per frame with fields
 * `k` (s: status, x: text, f: final), `o` (the text offset) and `d` (status, text, or the
 * final message as JSON).
 */
import type { Message, MessageStatus } from '../../shapes'
import type { AnswerFrame } from '../hub'
import type { StreamEntry } from './reader'

export function frameFields(frame: AnswerFrame, offset: number): string[] {
  switch (frame.type) {
    case 'status':
      return ['k', 's', 'o', String(offset), 'd', frame.status]
    case 'text':
      return ['k', 'x', 'o', String(frame.offset), 'd', frame.text]
    case 'final':
      return [
        'k',
        'f',
        'o',
        String(frame.message.content.length),
        'd',
        JSON.stringify(frame.message),
      ]
  }
}

export function entryFrame([, fields]: StreamEntry): AnswerFrame | null {
  const value = (name: string) => {
    const i = fields.indexOf(name)
    return i >= 0 && i % 2 === 0 ? fields[i + 1] : undefined
  }
  const data = value('d') ?? ''
  switch (value('k')) {
    case 's':
      return { type: 'status', status: data as MessageStatus }
    case 'x':
      return { type: 'text', offset: Number(value('o') ?? 0), text: data }
    case 'f':
      return { type: 'final', message: JSON.parse(data) as Message }
    default:
      return null
  }
}

/**
 * Folds a backlog into the few frames a follower at `offset` needs: the last status, ONE text
 * frame with everything after its offset, and the final message if there is one. Null when
 * the backlog has a gap before `offset` can be covered (Redis lost entries): the database
 * then has the text.
 */
export function foldBacklog(frames: AnswerFrame[], offset: number): AnswerFrame[] | null {
  let text = ''
  const textStart = offset
  let status: MessageStatus | null = null
  let final: AnswerFrame | null = null
  for (const frame of frames) {
    if (frame.type === 'status') status = frame.status
    else if (frame.type === 'final') final = frame
    else {
      const have = textStart + text.length
      if (frame.offset > have) return null
      const end = frame.offset + frame.text.length
      if (end > have) text += frame.text.slice(have - frame.offset)
    }
  }
  const out: AnswerFrame[] = []
  if (final === null) out.push({ type: 'status', status: status ?? 'pending' })
  if (text.length > 0) out.push({ type: 'text', offset: textStart, text })
  if (final !== null) out.push(final)
  return out
}
