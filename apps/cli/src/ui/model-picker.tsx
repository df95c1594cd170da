import { Box, Text, useInput } from 'ink'
import { useReducer, useRef } from 'react'
import type { Model } from '@t3chat/client'
import { filterModels, formatContext } from '../format/models'
import { truncate } from '../format/text'

/** USD per million tokens, from OpenRouter's per-token price strings. */
function perMillion(price: string): string {
  const value = Number(price) * 1_000_000
  if (!Number.isFinite(value)) return '?'
  return value === 0
    ? 'free'
    : `$${value < 1 ? value.toFixed(2) : value.toFixed(value < 10 ? 2 : 0)}`
}

/** A searchable list of models: type to filter, ↑/↓ to move, Enter to choose, Esc to cancel. */
export function ModelPicker({
  models,
  initialQuery,
  current,
  onPick,
  maxRows,
  columns,
}: {
  models: readonly Model[]
  initialQuery: string
  current: string | null
  onPick: (id: string | null) => void
  maxRows: number
  columns: number
}) {
  // Refs, not state: several keys can arrive in one stdin chunk, before a re-render.
  const view = useRef({ query: initialQuery, selected: 0 })
  const [, rerender] = useReducer((n: number) => n + 1, 0)
  const set = (query: string, selected: number) => {
    view.current = { query, selected }
    rerender()
  }
  const { query } = view.current
  const matches = filterModels(models, query)
  const index = Math.min(view.current.selected, Math.max(0, matches.length - 1))

  useInput((input, key) => {
    const { query } = view.current
    const matches = filterModels(models, query)
    const index = Math.min(view.current.selected, Math.max(0, matches.length - 1))
    const last = Math.max(0, matches.length - 1)
    if (key.escape) return onPick(null)
    if (key.return) return onPick(matches[index]?.id ?? (query.includes('/') ? query.trim() : null))
    if (key.upArrow) return set(query, Math.max(0, index - 1))
    if (key.downArrow) return set(query, Math.min(last, index + 1))
    if (key.pageUp) return set(query, Math.max(0, index - maxRows))
    if (key.pageDown) return set(query, Math.min(last, index + maxRows))
    if (key.backspace || key.delete) return set(query.slice(0, -1), 0)
    if (key.ctrl || key.meta || key.tab || input === '') return
    set(query + input.replace(/[\r\n]/g, ''), 0)
  })

  const rows = Math.max(3, maxRows)
  const first = Math.max(0, Math.min(index - Math.floor(rows / 2), matches.length - rows))
  const visible = matches.slice(first, first + rows)
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} marginTop={1}>
      <Text>
        <Text bold>Model</Text>
        <Text dimColor>{'  type to search · ↑↓ · Enter choose · Esc cancel'}</Text>
      </Text>
      <Text>
        <Text color="cyan">{'search: '}</Text>
        {query}
        <Text inverse> </Text>
      </Text>
      {visible.length === 0 ? (
        <Text dimColor>
          {query.includes('/')
            ? `No match; Enter uses "${query.trim()}" as typed.`
            : 'No model matches.'}
        </Text>
      ) : (
        visible.map((model, offset) => {
          const chosen = first + offset === index
          const price = model.pricing
            ? `${perMillion(model.pricing.prompt)} / ${perMillion(model.pricing.completion)} per 1M`
            : ''
          const context = model.contextLength ? `${formatContext(model.contextLength)} ctx` : ''
          return (
            <Text key={model.id} color={chosen ? 'cyan' : undefined} wrap="truncate-end">
              {chosen ? '› ' : '  '}
              <Text bold={chosen}>
                {truncate(model.id, Math.max(20, Math.floor(columns / 2) - 4))}
              </Text>
              {model.id === current ? <Text color="green"> (current)</Text> : ''}
              <Text
                dimColor
              >{`  ${[model.name, context, price].filter(Boolean).join(' · ')}`}</Text>
            </Text>
          )
        })
      )}
      <Text dimColor>{`${matches.length} of ${models.length} models`}</Text>
    </Box>
  )
}
