import type { AuthUser } from '@t3chat/auth'
import { findConversation, searchMessages } from '@t3chat/db'
import type { ApiDeps } from '../../deps'
import { NotFoundError } from '../../errors'
import type { SearchHit } from '../../shapes'
import { parseSearchQuery } from './parse-query'
import { makeSnippet } from './snippet'

/**
 * `search.messages`: the user's messages and conversation titles matching the query, best
 * first, with snippets. Another user's `conversationId` is NOT_FOUND.
 */
export async function searchUserMessages(
  deps: ApiDeps,
  user: AuthUser,
  input: { query: string; conversationId: string | null; limit: number; cursor: string | null },
): Promise<{ items: SearchHit[]; nextCursor: string | null }> {
  const parsed = parseSearchQuery(input.query)
  if (input.conversationId !== null) {
    const conversation = await findConversation(deps.db, {
      userId: user.id,
      id: input.conversationId,
    })
    if (!conversation) throw new NotFoundError('conversation')
  }
  if (parsed === null) return { items: [], nextCursor: null }
  const page = await searchMessages(deps.db, {
    userId: user.id,
    terms: parsed.terms,
    conversationId: input.conversationId,
    limit: input.limit,
    cursor: input.cursor,
  })
  const highlight = { words: parsed.highlight, prefix: parsed.highlightPrefix }
  return {
    items: page.rows.map((row) => ({
      conversationId: row.conversationId,
      conversationTitle: row.conversationTitle,
      messageId: row.messageId,
      seq: row.seq,
      role: row.role,
      createdAt: row.createdAt.toISOString(),
      field: row.field,
      ...makeSnippet(row.text, highlight),
    })),
    nextCursor: page.nextCursor,
  }
}
