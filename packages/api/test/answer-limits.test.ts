import { describe, expect, it } from 'vitest'
import { loremText } from '@t3chat/llm/fake'
import { useHarness } from './harness'
import { deltaText, finalOf, sendAndFinish, streamToEnd } from './support/engine'

// What an answer may hold: a size cap (regression: a 16 MB answer was stored whole, RSS +750 MB),
// and nothing the database cannot store (regression: a NUL in a delta or a prompt_tokens of 3e9
// failed the final save and wedged the conversation).

const h = useHarness({ config: { maxAnswerChars: 50 } })

describe('the answer size cap', () => {
  it('cuts the answer at maxAnswerChars: answer_too_long, the text kept, the conversation free', async () => {
    const { caller } = await h.user()
    const sent = await sendAndFinish(caller, { content: 'go', model: 'fake/lorem:tokens=200' })
    expect(sent.answer.status).toBe('error')
    expect(sent.answer.error?.code).toBe('answer_too_long')
    expect(sent.answer.content).toBe(loremText(200).slice(0, 50))
    const stored = await h.db
      .selectFrom('messages')
      .select(['content', 'errorCode'])
      .where('id', '=', sent.answer.id)
      .executeTakeFirstOrThrow()
    expect(stored).toEqual({ content: sent.answer.content, errorCode: 'answer_too_long' })
    // The upstream request was closed, and the next turn starts.
    const next = await sendAndFinish(caller, {
      conversationId: sent.conversation.id,
      content: 'again',
      model: 'fake/echo',
    })
    expect(next.answer.error).toBeNull()
    expect(next.answer.status).toBe('completed')
  })

  it('one huge delta is cut the same way', async () => {
    const { caller } = await h.user()
    const sent = await sendAndFinish(caller, { content: 'go', model: 'fake/big:chars=5000' })
    expect(sent.answer.error?.code).toBe('answer_too_long')
    expect(sent.answer.content).toBe('x'.repeat(50))
  })
})

describe('upstream data the database cannot store', () => {
  it('a NUL in a delta is replaced (U+FFFD), and the row holds what subscribers saw', async () => {
    const { caller } = await h.user()
    const sent = await caller.chat.send({
      clientMessageId: crypto.randomUUID(),
      content: 'go',
      // The first token waits, so the subscription below sees it as a delta (a finished
      // answer would send only its final).
      model: 'fake/title:text=a%00b,first=500',
    })
    const events = await streamToEnd(caller, sent.assistantMessage.id)
    const seen = deltaText(events)
    expect(seen).toBe('a\uFFFDb')
    expect(finalOf(events).content).toBe(seen)
    const stored = await h.db
      .selectFrom('messages')
      .select(['content', 'status'])
      .where('id', '=', sent.assistantMessage.id)
      .executeTakeFirstOrThrow()
    expect(stored).toEqual({ content: seen, status: 'completed' })
  })

  for (const tokens of ['3e9', '1.5']) {
    it(`usage.prompt_tokens ${tokens} is dropped, the answer completes`, async () => {
      const { caller } = await h.user()
      const sent = await sendAndFinish(caller, {
        content: 'go',
        model: `fake/lorem:tokens=3,promptTokens=${tokens}`,
      })
      expect(sent.answer.status).toBe('completed')
      // Unusable: counted here instead (one token per 4 characters of the prompt, `go`).
      expect(sent.answer.usage?.promptTokens).toBe(1)
      expect(sent.answer.usage?.completionTokens).toBe(3)
      const conversation = await caller.conversation.get({ id: sent.conversation.id })
      expect(conversation).toBeDefined()
    })
  }
})
