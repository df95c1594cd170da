import { Box, Text, useInput } from 'ink'
import { useReducer, useRef } from 'react'
import type { ListState } from '../chat/state'
import { oneLine, truncate } from '../format/text'
import { relativeTime } from '../format/time'
import { Spinner } from './live-answer'

/** Props of {@link ConversationList}. */
export interface ConversationListProps {
  list: ListState
  onOpen: (id: string) => void
  onNew: () => void
  onLoadMore: () => void
  onBack: (() => void) | null
  onQuit: () => void
  maxRows: number
  columns: number
}

/**
 * The conversation picker: "New conversation" first, then conversations by last activity
 * with title, preview and age. ↑/↓ (or j/k) move, Enter opens, n starts a new one,
 * Esc goes back to the chat, q quits; more pages load when the selection reaches the end.
 */
export function ConversationList({
  list,
  onOpen,
  onNew,
  onLoadMore,
  onBack,
  onQuit,
  maxRows,
  columns,
}: ConversationListProps) {
  // A ref, not state: several keys can arrive in one stdin chunk, before a re-render.
  const selected = useRef(0)
  const [, rerender] = useReducer((n: number) => n + 1, 0)
  const count = list.items.length + 1
  const index = Math.min(selected.current, count - 1)

  const move = (to: number) => {
    const next = Math.max(0, Math.min(count - 1, to))
    selected.current = next
    rerender()
    if (next >= count - 3 && list.nextCursor !== null) onLoadMore()
  }

  useInput((input, key) => {
    const index = Math.min(selected.current, count - 1)
    if (key.upArrow || input === 'k') return move(index - 1)
    if (key.downArrow || input === 'j') return move(index + 1)
    if (key.pageUp) return move(index - maxRows)
    if (key.pageDown) return move(index + maxRows)
    if (key.return) {
      if (index === 0) return onNew()
      const item = list.items[index - 1]
      if (item) onOpen(item.id)
      return
    }
    if (input === 'n') return onNew()
    if (key.escape && onBack) return onBack()
    if (input === 'q') return onQuit()
    if (/^[1-9]$/.test(input)) move(Number(input))
  })

  const rows = Math.max(3, maxRows)
  const first = Math.max(0, Math.min(index - Math.floor(rows / 2), count - rows))
  const titleWidth = Math.max(16, Math.min(40, Math.floor(columns * 0.35)))
  const numberWidth = String(list.items.length).length + 1
  const rowsShown = Array.from(
    { length: Math.min(rows, count - first) },
    (_, offset) => first + offset,
  )

  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text bold color="cyan">
          Conversations
        </Text>
        <Text
          dimColor
        >{`  ↑↓ move · Enter open · n new${onBack ? ' · Esc back' : ''} · q quit`}</Text>
      </Text>
      {rowsShown.map((row) => {
        const chosen = row === index
        const marker = chosen ? '› ' : '  '
        if (row === 0) {
          return (
            <Text key="new" color={chosen ? 'cyan' : 'green'} bold={chosen}>
              {`${marker}${' '.repeat(numberWidth)}+ New conversation`}
            </Text>
          )
        }
        const item = list.items[row - 1]
        if (!item) return null
        const title = truncate(item.title ?? 'Untitled', titleWidth).padEnd(titleWidth)
        const age = relativeTime(item.lastMessageAt ?? item.updatedAt)
        const rest = Math.max(0, columns - titleWidth - numberWidth - age.length - 8)
        const preview = truncate(oneLine(item.preview ?? ''), rest)
        return (
          <Text key={item.id} color={chosen ? 'cyan' : undefined} wrap="truncate-end">
            {marker}
            <Text dimColor>{String(row).padStart(numberWidth - 1)} </Text>
            <Text bold={chosen}>{title}</Text>
            {'  '}
            <Text dimColor>{preview.padEnd(rest)}</Text>
            {'  '}
            <Text color="gray">{age}</Text>
          </Text>
        )
      })}
      {list.loading ? (
        <Text dimColor>
          <Spinner /> loading…
        </Text>
      ) : list.items.length === 0 && list.loaded ? (
        <Text dimColor>No conversations yet: press Enter to start one.</Text>
      ) : list.nextCursor !== null ? (
        <Text dimColor>{'  … more below'}</Text>
      ) : null}
    </Box>
  )
}
