import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { useHarness } from '../harness'
import { recordExamples } from '../support/examples'
import { finalMessage } from '../support/engine'

const h = useHarness()

// The reference's example of search.messages (docs/examples/search.json).
it('records an example of search.messages', async () => {
  const examples = recordExamples('search')
  const { caller } = await h.user()
  const sent = await caller.chat.send({
    clientMessageId: randomUUID(),
    content: 'Which café in Zürich roasts its own beans?',
    // An answer without the words, so the example has one hit whatever the clock says.
    model: 'fake/title:text=Try%20the%20roastery%20by%20the%20lake.',
  })
  await finalMessage(caller, sent.assistantMessage.id)
  await h.deps.runner.idle()
  const input = { query: 'zurich cafe', limit: 1 }
  const output = await caller.search.messages(input)
  expect(output.items).toHaveLength(1)
  examples.add('search.messages', { input, output })
  await examples.save()
})
