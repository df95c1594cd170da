export { seed, SEED_PLANS, type SeedPlan, type SeedResult } from './seed'
export {
  summarizeProfile,
  formatProfile,
  largestProfile,
  type ProfileSummary,
} from './profile-summary'
export type { BenchResults, HeadlineRow } from './report/results'
