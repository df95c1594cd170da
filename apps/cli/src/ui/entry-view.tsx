import { Box, Text } from 'ink'
import { memo } from 'react'
import type { Entry } from '../chat/state'
import { explainAnswerError } from '../errors'
import { trimAnswerStart } from '../format/text'
import { formatUsage } from '../format/usage'
import { Markdown } from './markdown'

/** One finished block of the transcript (rendered once, inside `<Static>`). */
export const EntryView = memo(function EntryView({ entry }: { entry: Entry }) {
  switch (entry.kind) {
    case 'header':
      return (
        <Box flexDirection="column" marginBottom={0}>
          <Text bold color="cyan">
            {entry.title}
          </Text>
          {entry.detail !== '' && <Text dimColor>{entry.detail}</Text>}
          {entry.notice !== null && <Text color="yellow">{`! ${entry.notice}`}</Text>}
        </Box>
      )
    case 'earlier':
      return <Text dimColor>{'↑ earlier messages: /more or PgUp'}</Text>
    case 'notice':
      return <NoticeView tone={entry.tone} text={entry.text} hint={entry.hint ?? null} />
    case 'user':
      return (
        <Box marginTop={1}>
          <Box width={2} flexShrink={0}>
            <Text color="green" bold>
              ›
            </Text>
          </Box>
          <Text bold>{entry.content}</Text>
        </Box>
      )
    case 'answer':
      return (
        <Box marginTop={1} paddingLeft={2}>
          <Markdown source={entry.first ? trimAnswerStart(entry.markdown) : entry.markdown} />
        </Box>
      )
    case 'answer-end':
      return <AnswerEnd entry={entry} />
  }
})

function NoticeView({
  tone,
  text,
  hint,
}: {
  tone: 'info' | 'warn' | 'error'
  text: string
  hint: string | null
}) {
  const mark = tone === 'error' ? '✗' : tone === 'warn' ? '!' : '·'
  const color = tone === 'error' ? 'red' : tone === 'warn' ? 'yellow' : 'gray'
  return (
    <Box marginTop={1} flexDirection="column">
      <Box>
        <Box width={2} flexShrink={0}>
          <Text color={color}>{mark}</Text>
        </Box>
        <Text color={tone === 'info' ? undefined : color}>{text}</Text>
      </Box>
      {hint ? (
        <Box paddingLeft={2}>
          <Text dimColor>{hint}</Text>
        </Box>
      ) : null}
    </Box>
  )
}

function AnswerEnd({ entry }: { entry: Extract<Entry, { kind: 'answer-end' }> }) {
  const usage = formatUsage(entry.usage)
  const meta = [entry.model, usage].filter((part): part is string => part !== null).join(' · ')
  if (entry.status === 'error') {
    const explained = explainAnswerError(entry.error)
    return (
      <Box flexDirection="column" paddingLeft={2} marginTop={entry.empty ? 1 : 0}>
        <Text color="red">{`✗ ${explained.message}`}</Text>
        {explained.hint ? <Text dimColor>{explained.hint}</Text> : null}
      </Box>
    )
  }
  if (entry.status === 'cancelled') {
    return (
      <Box paddingLeft={2} marginTop={entry.empty ? 1 : 0}>
        <Text color="yellow">{`■ stopped${meta ? ` · ${meta}` : ''}`}</Text>
      </Box>
    )
  }
  return (
    <Box paddingLeft={2} marginTop={entry.empty ? 1 : 0}>
      <Text dimColor>{entry.empty ? `(empty answer) ${meta}` : meta}</Text>
    </Box>
  )
}
