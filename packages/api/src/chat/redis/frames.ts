/**
 * How an answer's frames are stored in its Redis Stream: one entry per frame, each field named
 * for its kind — `s` (a status), `x` (text), `f` (the final message as JSON). A text entry may
 * also carry the status that came with its text (an answer's first text and its `streaming` are
 * one entry: `s` then `x`). The final message holds the whole text, so the owner does not write
 * the text of its last interval separately: a follower takes what it is missing from the final
 * entry ({@link tailOf}).
 *
 * An entry's id says where its text ends ({@link entryId}), so a follower that has `offset`
 * units reads exactly the entries it misses in one XRANGE from `<offset>-0`, and a text entry's
 * offset is its id's end minus its text's length (UTF-16 units, as the owner counted them: the
 * one lossy case of Redis's UTF-8, a lone surrogate, comes back as U+FFFD, one unit too). The
 * final entry is added with `*` (a time in ms, above every offset): it is always read.
 *
 * Three strings an entry (its id, one name, one value), where the first format had seven
 * (`k`, `o` and `d` with their values): parsing a reply costs ~1 µs a string here, and a
 * resume's backlog is a hundred entries or more (bench/BENCHMARKS.md). Streams of that format
 * lived under another key (keys.ts), so an instance of either version finds no stream of the
 * other's and follows such an answer from the database.
 */
import type { Message, MessageStatus } from '../../shapes'
import type { AnswerFrame } from '../hub'
import type { StreamEntry } from './reader'

type TextFrame = Extract<AnswerFrame, { type: 'text' }>

/**
 * A text or status entry's id: `<end>-<n>`, the length of the owner's text when it wrote the
 * entry (a text entry's end; a status entry's may lie past the text written so far, which only
 * makes followers there read it), then the count of the answer's entries. Ids only grow, as
 * Redis requires: the text never shrinks and the count always rises.
 */
export const entryId = (end: number, n: number): string => `${end}-${n}`

/** Where a follower that has `offset` units of text starts reading: every entry ending there or later. */
export const firstIdFor = (offset: number): string => `${offset}-0`

export function frameFields(frame: Exclude<AnswerFrame, TextFrame>): string[] {
  return frame.type === 'status' ? ['s', frame.status] : ['f', JSON.stringify(frame.message)]
}

/** A text entry's fields, after the status that came with the text (if any). */
export function textFields(text: string, status: MessageStatus | null): string[] {
  if (status === null) return ['x', text]
  return text === '' ? ['s', status] : ['s', status, 'x', text]
}

/** The frames of one entry, in order (none for a field this version does not know). */
export function entryFrames([id, fields]: StreamEntry): AnswerFrame[] {
  const frames: AnswerFrame[] = []
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1] ?? ''
    switch (fields[i]) {
      case 's':
        frames.push({ type: 'status', status: value as MessageStatus })
        break
      case 'x':
        // The id's first part (`<end>-<n>`): parseInt stops at the dash.
        frames.push({ type: 'text', offset: Number.parseInt(id, 10) - value.length, text: value })
        break
      case 'f':
        frames.push({ type: 'final', message: JSON.parse(value) as Message })
        break
    }
  }
  return frames
}

/** The text a follower that has `have` units still misses when the final entry arrives. */
export function tailOf(final: Message, have: number): TextFrame | null {
  const content = final.content
  return content.length > have ? { type: 'text', offset: have, text: content.slice(have) } : null
}

/**
 * Folds a backlog into the few frames a follower at `offset` needs: the last status and ONE text
 * frame with everything after its offset, or (once it has ended) that text and the final
 * message. Null when
 * the backlog has a gap before `offset` can be covered (Redis lost entries): the database
 * then has the text.
 */
export function foldBacklog(frames: AnswerFrame[], offset: number): AnswerFrame[] | null {
  const final = frames.find((frame) => frame.type === 'final')
  if (final !== undefined) {
    // The final message holds the whole text: the frames before it are not needed.
    const tail = tailOf(final.message, offset)
    return tail === null ? [final] : [tail, final]
  }
  let text = ''
  // Text flows only while an answer is `streaming`: a backlog read from its end may hold text
  // entries without the status entry that came before them.
  let status: MessageStatus | null = null
  let sawText = false
  for (const frame of frames) {
    if (frame.type === 'status') status = frame.status
    else if (frame.type === 'text') {
      sawText = true
      const have = offset + text.length
      if (frame.offset > have) return null
      const end = frame.offset + frame.text.length
      if (end > have) text += frame.text.slice(have - frame.offset)
    }
  }
  const out: AnswerFrame[] = [
    { type: 'status', status: status ?? (sawText ? 'streaming' : 'pending') },
  ]
  if (text.length > 0) out.push({ type: 'text', offset, text })
  return out
}
