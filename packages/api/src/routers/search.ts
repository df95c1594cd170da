import { z } from 'zod'
import { searchUserMessages } from '../services/search/search-messages'
import { SearchPageSchema } from '../shapes'
import { authedProcedure, router } from '../trpc'
import { id } from './inputs'

/** The longest search query, in characters. */
export const MAX_QUERY_LENGTH = 200

// A custom check, not `.max()`: an over-long query is a bad request (API.md), not a payload
// over a size limit.
const query = z
  .string()
  .min(1, 'must not be empty')
  .refine((q) => q.length <= MAX_QUERY_LENGTH, `must be at most ${MAX_QUERY_LENGTH} characters`)
  .refine((q) => !q.includes('\u0000'), 'must not contain \\u0000')

export const searchRouter = router({
  messages: authedProcedure
    .meta({
      summary: 'Your messages and conversation titles that contain every word, best first.',
      description:
        'Any order, case- and accent-insensitive, the last word as a prefix (unless the query ends with a space); `"quoted words"` match as a phrase, `-word` excludes. Ranked by relevance, then newest, among the newest 1,000 matches of each kind. A query with nothing to find (punctuation) returns an empty page.',
      errors: {
        BAD_REQUEST: 'an empty query, over 200 characters, only exclusions, or a bad cursor',
        NOT_FOUND: 'the conversation does not exist or is not yours',
      },
    })
    .input(
      z.object({
        query,
        conversationId: id.optional(),
        limit: z.number().int().min(1).max(50).default(20),
        cursor: z.string().max(500).nullish(),
      }),
    )
    .output(SearchPageSchema)
    .query(({ ctx, input }) =>
      searchUserMessages(ctx.deps, ctx.user, {
        query: input.query,
        conversationId: input.conversationId ?? null,
        limit: input.limit,
        cursor: input.cursor ?? null,
      }),
    ),
})
