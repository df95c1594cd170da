import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useHarness } from './harness'
import { finalMessage, rejection } from './support/engine'

// Probes of an attacker (existence oracles) and of a user hammering one conversation.

// A title model that never answers: the first job waits out its timeout (20 s).
const TITLE_MODEL = 'fake/stall:after=0,run=title'
const h = useHarness({ config: { answerWaitMs: 800, titleModel: TITLE_MODEL } })

describe('existence oracle: chat.stream', () => {
  it("another user's live answer takes as long to be NOT_FOUND as a missing id", async () => {
    const owner = await h.user()
    const sent = await owner.caller.chat.send({
      clientMessageId: randomUUID(),
      content: 'secret',
      model: 'fake/stall:after=1',
    })
    const { caller: attacker } = await h.user()
    const timed = async (messageId: string) => {
      const started = performance.now()
      const error = await rejection(attacker.chat.stream({ messageId }))
      return { code: error.code, ms: performance.now() - started }
    }
    const foreign = await timed(sent.assistantMessage.id)
    const missing = await timed(randomUUID())
    expect(foreign.code).toBe('NOT_FOUND')
    expect(missing.code).toBe('NOT_FOUND')
    // Regression: 16 ms against the full wait.
    expect(foreign.ms).toBeGreaterThanOrEqual(750)
    await owner.caller.chat.stop({ messageId: sent.assistantMessage.id })
  })
})

describe('title jobs', () => {
  it('never more than one per conversation, however fast the answers come', async () => {
    const { caller } = await h.user()
    const first = await caller.chat.send({ clientMessageId: randomUUID(), content: 'name me' })
    await finalMessage(caller, first.assistantMessage.id)
    const conversationId = first.assistantMessage.conversationId
    // While the first title job waits on the (slow) title model, the answer is regenerated.
    for (let i = 0; i < 3; i++) {
      const again = await caller.chat.regenerate({ conversationId, clientMessageId: randomUUID() })
      await finalMessage(caller, again.assistantMessage.id)
    }
    await h.deps.runner.idle()
    const titleCalls = h.fake.requests.filter((r) => r.model === TITLE_MODEL)
    // One job (the provider retries a silent model twice): 12 requests before, for 4 jobs.
    expect(titleCalls.length).toBeGreaterThan(0)
    expect(titleCalls.length).toBeLessThanOrEqual(3)
  }, 60_000)
})
