import { Box, renderToString, Text } from 'ink'
import type { Conversation, Message } from '@t3chat/client'
import { headerEntry, messageEntries } from '../chat/transcript'
import { EntryView } from './entry-view'

/** The conversation as the chat view prints it (markdown rendered). */
export function renderTranscript(
  conversation: Conversation,
  messages: readonly Message[],
  columns: number,
): string {
  const entries = [
    headerEntry(conversation, conversation.currentModel),
    ...messageEntries(messages),
  ]
  return renderToString(
    <Box flexDirection="column">
      {entries.map((entry) => (
        <EntryView key={entry.id} entry={entry} />
      ))}
      {conversation.systemPrompt ? (
        <Text dimColor>{`system prompt: ${conversation.systemPrompt}`}</Text>
      ) : null}
    </Box>,
    { columns },
  )
}

/** One finished message rendered (`t3chat ask --no-stream` on a terminal). */
export function renderMessage(message: Message, columns: number): string {
  return renderToString(
    <Box flexDirection="column">
      {messageEntries([message]).map((entry) => (
        <EntryView key={entry.id} entry={entry} />
      ))}
    </Box>,
    { columns },
  )
}
