import type { ChooserState } from '../chat/state'
import { oneLine } from '../format/text'
import { relativeTime } from '../format/time'
import { ChoiceList, type Choice } from './choice-list'

function choices(chooser: ChooserState): Choice[] {
  if (chooser.kind === 'edit') {
    return chooser.messages.map((m) => ({
      key: m.id,
      title: oneLine(m.content),
      detail: `#${m.seq} · ${relativeTime(m.createdAt)}`,
    }))
  }
  return chooser.hits.map((hit) => ({
    key: `${hit.messageId}:${hit.field}`,
    title: hit.conversationTitle ?? 'Untitled',
    detail: `${hit.field === 'title' ? 'title' : `#${hit.seq} ${hit.role}`} · ${relativeTime(hit.createdAt)}`,
    snippet: { text: hit.snippet, highlights: hit.highlights },
  }))
}

/** Search results (`/search`) or your messages to edit (`/edit`), to pick one of. */
export function Chooser({
  chooser,
  onChoose,
  maxRows,
  columns,
}: {
  chooser: ChooserState
  onChoose: (index: number | null) => void
  maxRows: number
  columns: number
}) {
  const heading =
    chooser.kind === 'edit'
      ? 'Edit which message?'
      : `${chooser.hits.length} match${chooser.hits.length === 1 ? '' : 'es'} for “${chooser.query}”`
  return (
    <ChoiceList
      heading={heading}
      choices={choices(chooser)}
      onChoose={onChoose}
      maxRows={maxRows}
      columns={columns}
    />
  )
}
