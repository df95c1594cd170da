export { createDb, embeddedDatabaseDir, type CreateDbOptions } from './create-db'
export { migrateDown, migrateToLatest, type MigrationStep } from './migrate'
export { InvalidCursorError, MigrationError } from './errors'
export type {
  Conversation,
  ConversationUpdate,
  Database,
  Executor,
  JsonObject,
  JsonValue,
  Message,
  MessageRole,
  MessageStatus,
  MessageUpdate,
  NewConversation,
  NewMessage,
  NewUser,
  User,
  UserPreferences,
  UserUpdate,
} from './database'
export { findUser, updateUser, upsertUser } from './repositories/users'
export {
  createConversation,
  deleteConversation,
  findConversation,
  listConversations,
  lockConversation,
  updateConversation,
  type ConversationKey,
} from './repositories/conversations'
export { findMessage, findMessageByClientId, listMessages } from './repositories/messages'
export {
  checkpointAnswer,
  finishAnswer,
  interruptLiveAnswers,
  liveAnswerOwners,
  loadContext,
  setConversationTitleIfUnset,
  startRegeneration,
  startTurn,
  type AnswerEnd,
  type ContextMessage,
  type FinishOutcome,
  type RegenerationStart,
  type StartedTurn,
  type TurnOutcome,
  type TurnStart,
} from './repositories/chat-turns'
