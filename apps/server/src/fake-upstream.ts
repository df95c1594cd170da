// The fake model provider (`pnpm dev:fake`, the CLI's `--demo`), as its own entry of the
// compiled server so it is loaded only where it is used.
export { startFakeUpstream, type FakeUpstream } from '@t3chat/llm/fake'
