import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server'
import type { AppRouter } from '@t3chat/api'

export { createChatClient, type ChatClient, type ChatClientOptions } from './create-chat-client'
export { TRPCClientError } from '@trpc/client'
export {
  importExportFile,
  readExportFile,
  type ImportFailure,
  type ImportFileOptions,
  type ImportProgress,
  type ImportSummary,
} from './import-file'
export type { AppRouter }
export type {
  ChatEvent,
  Conversation,
  Message,
  MessageStatus,
  Model,
  Share,
  SharedConversation,
  SearchHit,
  User,
  UserEvent,
} from '@t3chat/api'

/** Inputs of every procedure, e.g. `RouterInputs['chat']['send']`. */
export type RouterInputs = inferRouterInputs<AppRouter>
/** Outputs of every procedure, e.g. `RouterOutputs['conversation']['list']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>
