import { Box, Text } from 'ink'
import type { ChatState } from '../chat/state'
import { formatCost, formatUsage } from '../format/usage'
import { transcriptCost } from '../format/usage-summary'
import { truncate } from '../format/text'

/**
 * The line above the input: conversation, model, connection, last answer's tokens and cost,
 * and what the conversation's answers (as loaded) cost so far.
 */
export function StatusLine({
  state,
  defaultModel,
  columns,
  answersOff,
}: {
  state: ChatState
  defaultModel: string | null
  columns: number
  answersOff: boolean
}) {
  const model = state.conversation?.currentModel ?? state.model ?? defaultModel ?? 'default model'
  const title = state.conversation ? (state.conversation.title ?? 'Untitled') : 'New conversation'
  const usage = state.lastAnswer ? formatUsage(state.lastAnswer.usage) : null
  const spent = state.conversation ? transcriptCost(state.entries) : null
  const connection =
    state.online === 'offline'
      ? { mark: '✗', text: 'offline', color: 'red' }
      : state.live?.connection === 'reconnecting' || state.online === 'reconnecting'
        ? { mark: '◌', text: 'reconnecting', color: 'yellow' }
        : state.online === 'connecting'
          ? { mark: '◌', text: 'connecting', color: 'gray' }
          : { mark: '●', text: 'online', color: 'green' }
  const keys = state.live ? 'Ctrl-C stop' : '/help · Ctrl-C exit'
  const left = truncate(title, Math.max(10, Math.floor(columns / 3)))
  // The keys stay whole at the end; what does not fit before them is cut.
  return (
    <Box marginTop={1}>
      <Box flexShrink={1}>
        <Text dimColor wrap="truncate-end">
          <Text bold>{left}</Text>
          {' · '}
          <Text color="cyan">{model}</Text>
          {' · '}
          <Text color={connection.color}>{`${connection.mark} ${connection.text}`}</Text>
          {usage ? ` · last ${usage}` : ''}
          {spent !== null ? ` · conversation ${formatCost(spent)}` : ''}
          {answersOff ? <Text color="yellow">{' · answers off (OPENROUTER_API_KEY)'}</Text> : ''}
          {state.busy ? <Text color="cyan">{` · ${state.busy}`}</Text> : ''}
        </Text>
      </Box>
      <Box flexShrink={0}>
        <Text dimColor>{` · ${keys}`}</Text>
      </Box>
    </Box>
  )
}
