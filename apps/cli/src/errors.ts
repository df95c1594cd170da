import { TRPCClientError } from '@t3chat/client'

/** An error the CLI explains itself: `message` in plain words, `hint` says what to do. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
    readonly exitCode = 1,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** A failure explained for a person: what happened, and what to do about it. */
export interface Explained {
  message: string
  hint: string | null
}

const ANSWER_HINTS: Record<string, string> = {
  bad_request: 'Try another model (/model) or shorten the message.',
  unauthorized:
    "The server's OPENROUTER_API_KEY is invalid or revoked: set a valid key and restart it.",
  payment_required:
    'The OpenRouter account is out of credits: add credits at openrouter.ai, then /retry.',
  forbidden: 'The provider refused the input (moderation). Rephrase it, or try another model.',
  timeout: 'The model took too long. /retry, or pick a faster model with /model.',
  rate_limited: 'Rate limited by the provider: wait a moment, then /retry.',
  upstream_unavailable:
    'The model is unavailable right now: /retry in a moment or pick another with /model.',
  context_length_exceeded:
    'The conversation is too long for this model: start a /new one or pick a model with a larger context.',
  interrupted: 'The server stopped mid-answer; the partial text is kept. /retry for a full answer.',
  unknown: '/retry, or try another model with /model.',
}

const ANSWER_TITLES: Record<string, string> = {
  bad_request: 'The model rejected the request',
  unauthorized: 'Invalid API key',
  payment_required: 'Out of credits',
  forbidden: 'Blocked by moderation',
  timeout: 'The answer timed out',
  rate_limited: 'Rate limited',
  upstream_unavailable: 'The model is unavailable',
  context_length_exceeded: 'Too long for this model',
  interrupted: 'Interrupted',
  unknown: 'The answer failed',
}

/**
 * Explains an answer that ended in `error` (`final.message.error`). The server's message
 * already says what to do; the hint adds the CLI's next step.
 */
export function explainAnswerError(error: { code: string; message: string } | null): Explained {
  const code = error?.code ?? 'unknown'
  const detail = error ? firstLine(error.message) : ''
  const title = ANSWER_TITLES[code] ?? 'The answer failed'
  return {
    message: detail !== '' ? detail : title,
    hint:
      detail !== ''
        ? (RETRY_TIPS[code] ?? null)
        : (ANSWER_HINTS[code] ?? ANSWER_HINTS.unknown ?? null),
  }
}

const RETRY_TIPS: Record<string, string> = {
  payment_required: 'Then /retry, or pick a cheaper model with /model.',
  rate_limited: '/retry in a moment.',
  timeout: '/retry, or pick a faster model with /model.',
  upstream_unavailable: '/retry in a moment, or pick another model with /model.',
  interrupted: '/retry for a full answer.',
  unknown: '/retry, or try another model with /model.',
}

/** Explains any thrown value in plain words; never a stack trace. */
export function explainError(error: unknown, context: { url?: string } = {}): Explained {
  if (error instanceof CliError) return { message: error.message, hint: error.hint }
  if (isNetworkError(error)) {
    return {
      message: `Cannot reach the t3chat server${context.url ? ` at ${context.url}` : ''}`,
      hint: 'Start it with `pnpm start` (or unset T3CHAT_URL and let t3chat start one), then try again.',
    }
  }
  if (error instanceof TRPCClientError) {
    const code = trpcCode(error)
    const message = firstLine(String(error.message)) || 'Request failed'
    switch (code) {
      case 'UNAUTHORIZED':
        return {
          message: `Not signed in or the session expired (${message})`,
          hint: 'For a Supabase server run `t3chat login`; for a local server set T3CHAT_DATA_DIR to its data directory.',
        }
      case 'PRECONDITION_FAILED':
        // The server's message already names the variable; say it once, with the other way.
        return {
          message,
          hint: message.includes('OPENROUTER_API_KEY')
            ? 'Or add --demo for the offline demo.'
            : 'Set OPENROUTER_API_KEY for the server and restart it, or add --demo for the offline demo.',
        }
      case 'TOO_MANY_REQUESTS':
        return { message, hint: 'Wait for your other answers to finish, then try again.' }
      case 'PAYMENT_REQUIRED':
        // The server's message names the limit and when it resets.
        return {
          message,
          hint: 'See `t3chat usage`; or use your own OpenRouter key: `t3chat key set`.',
        }
      case 'CONFLICT':
        return {
          message,
          hint: 'Wait for the answer to finish or stop it (Ctrl-C), then send again.',
        }
      case 'NOT_FOUND':
        return { message, hint: 'Check the id with `t3chat list`.' }
      case 'PAYLOAD_TOO_LARGE':
        return { message, hint: 'Shorten the text.' }
      case 'BAD_REQUEST':
        return { message, hint: null }
      case 'INTERNAL_SERVER_ERROR':
        return {
          message: 'The server hit an internal error',
          hint: 'Try again; the server log has the details.',
        }
      default:
        return { message, hint: null }
    }
  }
  if (error instanceof Error) return { message: firstLine(error.message) || error.name, hint: null }
  return { message: String(error), hint: null }
}

/** One line: the message, then the hint. */
export function explainLine(explained: Explained): string {
  return explained.hint ? `${explained.message}. ${explained.hint}` : explained.message
}

/** The tRPC error code of a client error, e.g. `NOT_FOUND`. */
export function trpcCode(error: unknown): string | null {
  if (!(error instanceof TRPCClientError)) return null
  const data: unknown = error.data
  if (
    typeof data === 'object' &&
    data !== null &&
    'code' in data &&
    typeof data.code === 'string'
  ) {
    return data.code
  }
  return null
}

/** True when the request never reached a server (refused, reset, DNS, timeout). */
export function isNetworkError(error: unknown): boolean {
  const codes = new Set([
    'ECONNREFUSED',
    'ECONNRESET',
    'ENOTFOUND',
    'EHOSTUNREACH',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
  ])
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== null && current !== undefined; depth++) {
    if (typeof current !== 'object') return false
    const code = 'code' in current ? current.code : undefined
    if (typeof code === 'string' && codes.has(code)) return true
    const message = 'message' in current ? current.message : undefined
    if (
      message === 'fetch failed' ||
      (typeof message === 'string' && message.startsWith('Unable to connect'))
    )
      return true
    if ('name' in current && (current.name === 'TimeoutError' || current.name === 'AbortError'))
      return true
    current = 'cause' in current ? current.cause : undefined
  }
  return false
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim().replace(/\.$/, '')
}
