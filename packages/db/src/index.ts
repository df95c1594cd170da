export {
  createDb,
  DatabaseDirError,
  embeddedDatabaseDir,
  openPglite,
  type CreateDbOptions,
} from './create-db'
export { userScopedId } from './scoped-id'
export { migrateDown, migrateToLatest, type MigrationStep } from './migrate'
export { DiskFullError, InvalidCursorError, MigrationError } from './errors'
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
  findMessage,
  findMessageByClientId,
  listActivePath,
  listMessages,
} from './repositories/messages'
export {
  checkpointAnswer,
  finishAnswer,
  loadContext,
  setConversationTitleIfUnset,
  startTurn,
  type AnswerEnd,
  type ContextMessage,
  type FinishOutcome,
  type StartedTurn,
  type TurnOutcome,
  type TurnStart,
  type TurnStarted,
} from './repositories/chat-turns'
export { interruptLiveAnswers, liveAnswerOwners } from './repositories/answer-recovery'
export {
  forkPath,
  listSiblings,
  moveActivePath,
  selectBranch,
  type BranchedMessage,
} from './repositories/branches'
export {
  startEdit,
  startRegeneration,
  type BranchOutcome,
  type BranchStarted,
  type EditStart,
  type RegenerationStart,
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
export {
  searchMessages,
  SEARCH_PROBE,
  SEARCH_WINDOW,
  type SearchRow,
  type SearchTerms,
} from './repositories/search'
export {
  addUsage,
  dueReconciliations,
  findTurnAccount,
  postponeReconciliation,
  serverSpending,
  setBudgetOverride,
  setProviderKey,
  settleReconciliation,
  usageRows,
  withUserBudgetLock,
  type ReconcileJob,
  type TurnAccount,
  type UsageRow,
} from './repositories/usage'
