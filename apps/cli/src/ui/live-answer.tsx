import { Box, Text } from 'ink'
import { useEffect, useState } from 'react'
import { clampTail } from '../answer/settle'
import type { LiveAnswer } from '../chat/state'
import { trimAnswerStart } from '../format/text'
import { Markdown } from './markdown'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/** A small spinner (about 12 frames per second). */
export function Spinner({ color = 'cyan' }: { color?: string }) {
  const [frame, setFrame] = useState(0)
  useEffect(() => {
    const timer = setInterval(() => setFrame((n) => (n + 1) % FRAMES.length), 80)
    return () => clearInterval(timer)
  }, [])
  return <Text color={color}>{FRAMES[frame]}</Text>
}

/**
 * The part of the streaming answer that is still growing (finished blocks are already in
 * the transcript). It is clamped to `maxRows` so the live region never outgrows the screen.
 */
export function LiveAnswerView({
  live,
  maxRows,
  columns,
}: {
  live: LiveAnswer
  maxRows: number
  columns: number
}) {
  const tail = live.printed === 0 ? trimAnswerStart(live.content) : live.content.slice(live.printed)
  const { text, hiddenLines } = clampTail(tail, Math.max(3, maxRows), columns - 2)
  const waiting = live.content === ''
  return (
    <Box flexDirection="column" marginTop={1}>
      {hiddenLines > 0 && (
        <Text
          dimColor
        >{`  … ${hiddenLines} more line${hiddenLines === 1 ? '' : 's'} (shown when this block is complete)`}</Text>
      )}
      {text.trim() !== '' && (
        <Box paddingLeft={2}>
          <Markdown source={text} />
        </Box>
      )}
      <Box paddingLeft={2}>
        {live.connection === 'reconnecting' ? (
          <Text color="yellow">
            <Spinner color="yellow" /> reconnecting… the answer resumes where it stopped
          </Text>
        ) : live.stopping ? (
          <Text color="yellow">
            <Spinner color="yellow" /> stopping…
          </Text>
        ) : waiting ? (
          <Text dimColor>
            <Spinner /> {live.model ? `${live.model} is thinking…` : 'thinking…'}
          </Text>
        ) : (
          <Spinner />
        )}
      </Box>
    </Box>
  )
}
