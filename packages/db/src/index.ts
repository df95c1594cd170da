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
  Share,
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
export {
  appendMessageContent,
  appendMessages,
  failLiveMessages,
  findLiveMessage,
  findMessage,
  findMessageByClientId,
  listActivePath,
  listMessages,
  updateMessage,
  type MessageDraft,
} from './repositories/messages'
export {
  checkpointAnswer,
  findMessageBySeq,
  finishAnswer,
  interruptLiveAnswers,
  loadContext,
  setConversationTitleIfUnset,
  startTurn,
  type AnswerEnd,
  type ContextMessage,
  type TurnStart,
  type TurnStarted,
} from './repositories/chat-turns'
export {
  forkPath,
  listSiblings,
  moveActivePath,
  selectBranch,
  type BranchedMessage,
} from './repositories/branches'
export {
  startBranchTurn,
  type BranchTurnOutcome,
  type BranchTurnStart,
} from './repositories/branch-turns'
export {
  findSharedSnapshot,
  insertShare,
  listShares,
  revokeShare,
  type SharedMessage,
  type ShareSummary,
} from './repositories/shares'
export {
  findImport,
  insertImport,
  loadConversationTree,
  type ImportDraft,
  type ImportMessage,
  type ImportSource,
} from './repositories/imports'
