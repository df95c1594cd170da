import type { Migration } from 'kysely'
import * as initial from './2026_11_29_0001_initial'
import * as activeAnswer from './2026_11_29_0002_active_answer'
import * as search from './2026_12_01_0010_search'
import * as answerOwner from './2026_12_01_0020_answer_owner'
import * as messageTree from './2026_12_01_0040_message_tree'
import * as sharesImports from './2026_12_01_0060_shares_imports'
import * as usage from './2026_12_01_0080_usage'
import * as usageRls from './2026_12_01_0090_usage_rls'
import * as searchHits from './2026_12_02_0010_search_hits'

/** Every migration, by name; names sort in the order they apply. Add new ones here. */
export const migrations: Record<string, Migration> = {
  '2026_11_29_0001_initial': initial,
  '2026_11_29_0002_active_answer': activeAnswer,
  '2026_12_01_0010_search': search,
  '2026_12_01_0020_answer_owner': answerOwner,
  '2026_12_01_0040_message_tree': messageTree,
  '2026_12_01_0060_shares_imports': sharesImports,
  '2026_12_01_0080_usage': usage,
  '2026_12_01_0090_usage_rls': usageRls,
  '2026_12_02_0010_search_hits': searchHits,
}
