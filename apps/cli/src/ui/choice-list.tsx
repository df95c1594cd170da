import { Box, Text, useInput } from 'ink'
import { useReducer, useRef } from 'react'
import { truncate } from '../format/text'

/** One row of a {@link ChoiceList}: a title, a dim detail, and an optional marked-up line. */
export interface Choice {
  key: string
  title: string
  detail: string
  /** A second line (e.g. a search snippet) with ranges to highlight. */
  snippet?: { text: string; highlights: ReadonlyArray<readonly [number, number]> }
}

/** The snippet with its highlighted ranges in bold yellow. */
function Snippet({ text, highlights }: NonNullable<Choice['snippet']>) {
  const parts: Array<{ text: string; marked: boolean }> = []
  let at = 0
  for (const [start, end] of highlights) {
    if (start > at) parts.push({ text: text.slice(at, start), marked: false })
    parts.push({ text: text.slice(start, end), marked: true })
    at = end
  }
  parts.push({ text: text.slice(at), marked: false })
  return (
    <Text wrap="truncate-end">
      {'    '}
      {parts.map((part, index) =>
        part.marked ? (
          <Text key={index} bold color="yellow">
            {part.text}
          </Text>
        ) : (
          <Text key={index} dimColor>
            {part.text.replace(/\s+/g, ' ')}
          </Text>
        ),
      )}
    </Text>
  )
}

/** A list to pick one item of: ↑/↓ (PgUp/PgDn) move, Enter chooses, Esc cancels. */
export function ChoiceList({
  heading,
  choices,
  onChoose,
  maxRows,
  columns,
}: {
  heading: string
  choices: readonly Choice[]
  onChoose: (index: number | null) => void
  maxRows: number
  columns: number
}) {
  // A ref, not state: several keys can arrive in one stdin chunk, before a re-render.
  const selected = useRef(0)
  const [, rerender] = useReducer((n: number) => n + 1, 0)
  const last = Math.max(0, choices.length - 1)
  const move = (to: number) => {
    selected.current = Math.max(0, Math.min(last, to))
    rerender()
  }
  const perChoice = choices.some((c) => c.snippet) ? 2 : 1
  const rows = Math.max(1, Math.floor(Math.max(3, maxRows) / perChoice))

  useInput((_input, key) => {
    if (key.escape) return onChoose(null)
    if (key.return) return onChoose(choices.length === 0 ? null : selected.current)
    if (key.upArrow) return move(selected.current - 1)
    if (key.downArrow) return move(selected.current + 1)
    if (key.pageUp) return move(selected.current - rows)
    if (key.pageDown) return move(selected.current + rows)
  })

  const index = selected.current
  const first = Math.max(0, Math.min(index - Math.floor(rows / 2), choices.length - rows))
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} marginTop={1}>
      <Text>
        <Text bold>{heading}</Text>
        <Text dimColor>{'  ↑↓ · Enter open · Esc cancel'}</Text>
      </Text>
      {choices.slice(first, first + rows).map((choice, offset) => {
        const chosen = first + offset === index
        return (
          <Box key={choice.key} flexDirection="column">
            <Text color={chosen ? 'cyan' : undefined} wrap="truncate-end">
              {chosen ? '› ' : '  '}
              <Text bold={chosen}>{truncate(choice.title, Math.max(20, columns - 30))}</Text>
              <Text dimColor>{`  ${choice.detail}`}</Text>
            </Text>
            {choice.snippet && <Snippet {...choice.snippet} />}
          </Box>
        )
      })}
      <Text dimColor>{`${index + 1} of ${choices.length}`}</Text>
    </Box>
  )
}
