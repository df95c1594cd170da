import type { Conversation, Message, MessageStatus, Model, RouterOutputs } from '@t3chat/client'
import type { StreamConnection } from '../answer/follow-answer'

/** One printed block of the transcript. Entries only ever get appended (they go to `<Static>`). */
export type Entry =
  | { kind: 'header'; id: string; title: string; detail: string; notice: string | null }
  | { kind: 'earlier'; id: string }
  | {
      kind: 'notice'
      id: string
      tone: 'info' | 'warn' | 'error'
      text: string
      hint?: string | null
    }
  | { kind: 'user'; id: string; content: string }
  /** A finished stretch of an answer (whole blocks of markdown). */
  | { kind: 'answer'; id: string; markdown: string; first: boolean; model: string | null }
  /** The line under a finished answer: status, model, usage, error. */
  | {
      kind: 'answer-end'
      id: string
      status: MessageStatus
      model: string | null
      usage: Message['usage']
      error: Message['error']
      empty: boolean
    }

/** The answer that is streaming right now. */
export interface LiveAnswer {
  messageId: string
  model: string | null
  /** Everything received so far. */
  content: string
  /** How much of `content` is already printed as `answer` entries. */
  printed: number
  status: MessageStatus
  connection: StreamConnection
  stopping: boolean
}

/** The conversation list screen. */
export interface ListState {
  items: Conversation[]
  nextCursor: string | null
  loading: boolean
  loaded: boolean
}

/** The searchable model picker. */
export interface PickerState {
  query: string
  models: Model[] | null
  /** What the chosen model is for: the next answers, or one `/retry`. */
  purpose: 'model' | 'retry'
}

/** One result of `search.messages`. */
export type SearchHit = RouterOutputs['search']['messages']['items'][number]

/** A list the user picks one item of with ↑/↓ and Enter: search results, or a message to edit. */
export type ChooserState =
  { kind: 'search'; query: string; hits: SearchHit[] } | { kind: 'edit'; messages: Message[] }

/** Everything the interactive UI shows. */
export interface ChatState {
  screen: 'connecting' | 'list' | 'chat'
  /** Changes when the transcript is printed anew (another conversation, earlier messages loaded). */
  epoch: number
  entries: Entry[]
  conversation: Conversation | null
  /** Model for the next answer when no conversation exists yet (or the session default). */
  model: string | null
  /** System prompt for a conversation that does not exist yet. */
  pendingSystem: string | null
  live: LiveAnswer | null
  /** The oldest seq shown, and whether older messages exist. */
  oldestSeq: number | null
  hasEarlier: boolean
  /** The change feed's connection (the server's reachability). */
  online: 'connecting' | 'online' | 'reconnecting' | 'offline'
  lastAnswer: { model: string | null; usage: Message['usage']; status: MessageStatus } | null
  /** A short transient line above the input (e.g. "Sending…"). */
  busy: string | null
  list: ListState
  picker: PickerState | null
  chooser: ChooserState | null
  /** A message of yours being edited (`/edit` without text): the next Enter sends its new text. */
  editing: { messageId: string } | null
  /** Text put into the input line for the user to change (`key` tells one draft from the next). */
  draft: { text: string; key: number } | null
  /** A yes/no question the input line answers. */
  confirm: { question: string; action: 'delete' } | null
  /** The connection or start-up failed for good. */
  fatal: string | null
  exiting: boolean
}

export const initialState: ChatState = {
  screen: 'connecting',
  epoch: 0,
  entries: [],
  conversation: null,
  model: null,
  pendingSystem: null,
  live: null,
  oldestSeq: null,
  hasEarlier: false,
  online: 'connecting',
  lastAnswer: null,
  busy: null,
  list: { items: [], nextCursor: null, loading: false, loaded: false },
  picker: null,
  chooser: null,
  editing: null,
  draft: null,
  confirm: null,
  fatal: null,
  exiting: false,
}
