import { z } from 'zod'

/**
 * The public shapes of the API as zod schemas: procedures declare them as `.output()`, the
 * reference (docs/api.md) and /openapi.json are generated from them, and the TypeScript types
 * below are inferred from them. Times are ISO-8601 strings (UTC, milliseconds), ids UUIDs.
 *
 * A schema with `.meta({ id })` becomes a named type in the reference and in OpenAPI's
 * `components.schemas`; give every shape that appears in more than one place an id.
 */

const isoTime = z.iso.datetime().describe('ISO-8601 time (UTC)')
const uuid = z.guid()

export const UserSchema = z
  .object({
    id: uuid.describe('the auth provider’s user id (`sub`)'),
    email: z.string().nullable(),
    displayName: z.string().nullable(),
    defaultModel: z.string().nullable().describe('used for new conversations when set'),
    preferences: z.record(z.string(), z.unknown()).describe('free-form client settings (JSON)'),
    providerKey: z
      .object({
        last4: z.string().describe('the last 4 characters of the key; the key is never returned'),
        addedAt: isoTime,
      })
      .nullable()
      .describe('the user’s own OpenRouter key (`user.setProviderKey`), when set'),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'User', description: 'The signed-in person; created on their first call.' })
export type User = z.infer<typeof UserSchema>

export const ModelSchema = z
  .object({
    id: z.string().describe('e.g. `openai/gpt-4o-mini`'),
    name: z.string(),
    contextLength: z.number().int().nullable(),
    pricing: z
      .object({ prompt: z.string(), completion: z.string() })
      .nullable()
      .describe('USD per token, as decimal strings (as OpenRouter gives them)'),
  })
  .meta({ id: 'Model', description: 'A model the provider offers.' })
export type Model = z.infer<typeof ModelSchema>

export const ConversationSchema = z
  .object({
    id: uuid,
    title: z.string().nullable().describe('null until set or generated after the first answer'),
    systemPrompt: z.string().nullable(),
    currentModel: z.string().describe('the model the next answer uses'),
    pinned: z.boolean(),
    messageCount: z.number().int().min(0).describe('messages on the active path'),
    preview: z.string().nullable().describe('the start of the active path’s last user message'),
    leafMessageId: uuid
      .nullable()
      .describe('the end of the active path (see conversation.selectBranch); null while empty'),
    lastMessageAt: isoTime.nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Conversation' })
export type Conversation = z.infer<typeof ConversationSchema>

export const MessageStatusSchema = z
  .enum(['pending', 'streaming', 'completed', 'error', 'cancelled'])
  .meta({
    id: 'MessageStatus',
    description:
      'pending → streaming → completed | error | cancelled. User messages are `completed`.',
  })
export type MessageStatus = z.infer<typeof MessageStatusSchema>

export const BranchSchema = z
  .object({
    index: z.number().int().min(1).describe('1-based, in creation (`seq`) order'),
    count: z.number().int().min(1),
  })
  .meta({
    id: 'Branch',
    description: 'A message’s place among the messages that share its parent (its siblings).',
  })
export type Branch = z.infer<typeof BranchSchema>

export const MessageSchema = z
  .object({
    id: uuid,
    conversationId: uuid,
    parentId: uuid.nullable().describe('the message before it on its branch; null for the first'),
    branch: BranchSchema,
    seq: z
      .number()
      .int()
      .min(1)
      .describe('1, 2, 3… per conversation in creation order, gap-free across branches'),
    role: z.enum(['user', 'assistant']),
    content: z.string().describe('an answer streaming on this server shows its live text'),
    model: z.string().nullable().describe('the model that answered (assistant messages)'),
    status: MessageStatusSchema,
    error: z
      .object({
        code: z
          .string()
          .describe(
            'bad_request, unauthorized, payment_required, forbidden, timeout, rate_limited, upstream_unavailable, context_length_exceeded, interrupted or unknown',
          ),
        message: z.string().describe('what happened and what to do'),
      })
      .nullable()
      .describe('why an answer ended with status `error`; its partial text is kept'),
    usage: z
      .object({
        promptTokens: z.number().int().min(0),
        completionTokens: z.number().int().min(0),
        cost: z.number().nullable().describe('USD; null when neither known nor estimable'),
        costSource: z
          .enum(['provider', 'estimated'])
          .nullable()
          .describe(
            '`provider`: OpenRouter’s own cost (also fetched after a stop); `estimated`: tokens × the catalog price',
          ),
      })
      .nullable(),
    createdAt: isoTime,
    completedAt: isoTime.nullable(),
  })
  .meta({ id: 'Message' })
export type Message = z.infer<typeof MessageSchema>

/** Events of `chat.stream`. A `delta`'s tracked id is the content length after applying it. */
export const ChatEventSchema = z
  .discriminatedUnion('type', [
    z
      .object({ type: z.literal('delta'), text: z.string() })
      .describe('append `text` to the content; the event id is the content length after it'),
    z
      .object({ type: z.literal('status'), status: MessageStatusSchema })
      .describe('the answer changed status (pending → streaming)'),
    z
      .object({ type: z.literal('final'), message: MessageSchema })
      .describe('the answer ended (completed, error or cancelled); the stream ends after it'),
  ])
  .meta({ id: 'ChatEvent' })
export type ChatEvent = z.infer<typeof ChatEventSchema>

/**
 * A public link to a snapshot of a conversation's path. Only the token's hash is stored, so
 * `token` is the link's token in the answer of `share.create` and null everywhere else.
 */
export const ShareSchema = z
  .object({
    id: uuid,
    token: z
      .string()
      .nullable()
      .describe('the link’s secret (192 random bits, base64url): only in share.create’s answer'),
    conversationId: uuid,
    title: z.string().nullable().describe('the conversation’s title when the share was made'),
    messageCount: z.number().int().min(0),
    createdAt: isoTime,
    revokedAt: isoTime.nullable(),
  })
  .meta({ id: 'Share' })
export type Share = z.infer<typeof ShareSchema>

/** What anyone holding a share link sees (`share.get`): never ids, system prompt or errors. */
export const SharedConversationSchema = z
  .object({
    title: z.string().nullable(),
    createdAt: isoTime,
    messages: z.array(
      z.object({
        role: z.enum(['user', 'assistant']),
        content: z.string(),
        model: z.string().nullable(),
        createdAt: isoTime,
      }),
    ),
  })
  .meta({ id: 'SharedConversation' })
export type SharedConversation = z.infer<typeof SharedConversationSchema>

/** Events of `events`, the user's change feed. */
export const UserEventSchema = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z.enum(['conversation.created', 'conversation.updated']),
        conversation: ConversationSchema,
      })
      .describe('a conversation was created or changed (a generated title arrives this way)'),
    z
      .object({ type: z.literal('conversation.deleted'), conversationId: uuid })
      .describe('a conversation and its messages were deleted'),
    z
      .object({
        type: z.enum(['message.created', 'message.updated']),
        message: MessageSchema,
      })
      .describe('a message was created or changed status (not sent per delta)'),
    z
      .object({ type: z.enum(['share.created', 'share.revoked']), share: ShareSchema })
      .describe('a share link was created or revoked'),
  ])
  .meta({ id: 'UserEvent' })
export type UserEvent = z.infer<typeof UserEventSchema>

/** A page of conversations, newest activity first. */
export const ConversationPageSchema = z.object({
  items: z.array(ConversationSchema),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null at the end'),
})

/** A page of history: ascending `seq` within the page, pages newest first. */
export const MessagePageSchema = z.object({
  items: z.array(MessageSchema).describe('ascending seq'),
  nextBefore: z
    .number()
    .int()
    .nullable()
    .describe('pass as `before` for the older page; null at the start'),
})

/** What `chat.send` returns. */
export const SendResultSchema = z.object({
  conversation: ConversationSchema,
  userMessage: MessageSchema,
  assistantMessage: MessageSchema.describe('the answer, `pending`: follow it with chat.stream'),
})
export type SendResult = z.infer<typeof SendResultSchema>

/** What `message.siblings` returns. */
export const MessageSiblingsSchema = z.object({
  items: z.array(MessageSchema).describe('the messages sharing a parent, in creation order'),
})

/** What `chat.regenerate` returns. */
export const RegenerateResultSchema = z.object({
  conversation: ConversationSchema,
  assistantMessage: MessageSchema.describe('the new answer, `pending`'),
})

/** What `health` returns. */
export const HealthSchema = z.object({
  status: z.literal('ok'),
  db: z.literal('ok'),
  redis: z.enum(['ok', 'off']).describe('`off` when the server runs without Redis (one instance)'),
  version: z.string(),
})

/** What `share.list` returns. */
export const ShareListSchema = z.object({
  items: z.array(ShareSchema).describe('newest first; `token` is null (only its hash is kept)'),
})

/** What `conversation.export` returns: a file to save. */
export const ExportFileSchema = z.object({
  filename: z.string(),
  mimeType: z.string().describe('`application/json` or `text/markdown`'),
  content: z.string(),
})

/** What `conversation.import` returns. */
export const ImportResultSchema = z.object({
  conversation: ConversationSchema,
  messageCount: z.number().int().min(0).describe('messages imported, every branch'),
  skipped: z
    .number()
    .int()
    .min(0)
    .describe('source nodes left out (system, tool, hidden, non-text)'),
  duplicate: z
    .boolean()
    .describe('this source conversation was imported before: the first import, nothing new'),
})

/**
 * One result of `search.messages`: a message whose text matches (`field: 'content'`), or the
 * first message of a conversation whose title matches (`field: 'title'`, the title as snippet).
 */
export const SearchHitSchema = z
  .object({
    conversationId: uuid,
    conversationTitle: z.string().nullable(),
    messageId: uuid.describe('the matching message, or the first message of a matching title'),
    seq: z.number().int(),
    role: z.enum(['user', 'assistant']),
    createdAt: z.string(),
    field: z.enum(['content', 'title']),
    snippet: z.string().describe('the text around the matches (≤ 200 UTF-16 units), or the title'),
    highlights: z
      .array(z.tuple([z.number().int(), z.number().int()]))
      .describe('UTF-16 ranges [start, end) of the matching words in `snippet`'),
  })
  .meta({ id: 'SearchHit' })
export type SearchHit = z.infer<typeof SearchHitSchema>

/** A page of search hits, best first (relevance, then newest). */
export const SearchPageSchema = z.object({
  items: z.array(SearchHitSchema),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null at the end'),
})

export const BudgetSchema = z
  .object({
    period: z.enum(['day', 'month']).describe('UTC day or month'),
    limitUsd: z.number(),
    spentUsd: z.number().describe('on the server’s key in this period'),
    resetsAt: isoTime,
  })
  .meta({
    id: 'Budget',
    description: 'The user’s spending limit that is closest to being reached.',
  })
export type Budget = z.infer<typeof BudgetSchema>

const UsageTotals = {
  cost: z.number().describe('USD'),
  promptTokens: z.number().int().min(0),
  completionTokens: z.number().int().min(0),
  answers: z.number().int().min(0),
}

export const UsageSummarySchema = z
  .object({
    ...UsageTotals,
    rows: z
      .array(z.object({ key: z.string().describe('`YYYY-MM-DD` or a model id'), ...UsageTotals }))
      .describe('ascending by key'),
    budget: BudgetSchema.nullable().describe('null when no limit applies'),
  })
  .meta({ id: 'UsageSummary' })
export type UsageSummary = z.infer<typeof UsageSummarySchema>
