import { Box, Text } from 'ink'
import type { Token, Tokens } from 'marked'
import type { ReactNode } from 'react'
import { displayWidth } from '../format/text'

/** A GFM table with columns sized to their widest cell; header bold, rule under it. */
export function MarkdownTable({
  table,
  render,
}: {
  table: Tokens.Table
  render: (tokens: Token[]) => ReactNode
}) {
  const rows = [table.header, ...table.rows]
  const widths = table.header.map((_, column) =>
    Math.max(3, ...rows.map((row) => displayWidth(row[column]?.text ?? ''))),
  )
  const line = (cells: Tokens.TableCell[], header: boolean, key: number) => (
    <Box key={key} flexDirection="row">
      {widths.map((width, column) => {
        const cell = cells[column]
        const align = table.align[column]
        return (
          <Box key={column} flexDirection="row">
            <Text color="gray">{column === 0 ? '' : ' │ '}</Text>
            <Box
              width={width}
              flexShrink={1}
              justifyContent={
                align === 'right' ? 'flex-end' : align === 'center' ? 'center' : 'flex-start'
              }
            >
              <Text bold={header}>{cell ? render(cell.tokens) : ''}</Text>
            </Box>
          </Box>
        )
      })}
    </Box>
  )
  return (
    <Box flexDirection="column">
      {line(table.header, true, -1)}
      <Text color="gray">{widths.map((width) => '─'.repeat(width)).join('─┼─')}</Text>
      {table.rows.map((row, index) => line(row, false, index))}
    </Box>
  )
}
