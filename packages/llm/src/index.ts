export type {
  ChatMessage,
  ChatRole,
  CompletionUsage,
  LlmProvider,
  Model,
  StreamEvent,
  StreamRequest,
} from './provider'
export { LlmError, type LlmErrorCode, type LlmErrorDetails } from './errors'
export { createOpenRouterProvider, OPENROUTER_BASE_URL, type OpenRouterOptions } from './openrouter'
export {
  createModelCatalog,
  DEFAULT_CONTEXT_LENGTH,
  type ModelCatalog,
  type ModelCatalogOptions,
  type ModelList,
} from './models'
export { FALLBACK_MODELS } from './fallback-models'
export { buildTitlePrompt, cleanTitle, fallbackTitle, MAX_TITLE_LENGTH } from './title'
export {
  createThreadedProvider,
  type ThreadedProvider,
  type ThreadOptions,
} from './thread/threaded-provider'
export {
  checkProviderKey,
  fetchGenerationCost,
  type AccountOptions,
  type GenerationCost,
  type KeyCheck,
} from './account'
