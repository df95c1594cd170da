import { randomUUID } from 'node:crypto'
import { it } from 'vitest'
import { useHarness } from '../harness'
import { recordExamples } from '../support/examples'
import { finalMessage } from '../support/engine'

const h = useHarness()

// The reference's examples of branches (docs/examples/branches.json): edit, the siblings of a
// message, switching back to the first branch, and forking.
it('records an example of every branch procedure', async () => {
  const examples = recordExamples('branches')
  const { caller } = await h.user()
  const call = examples.call
  const sent = await caller.chat.send({
    clientMessageId: randomUUID(),
    content: 'Plan a day in Porto.',
    model: 'fake/echo',
  })
  await finalMessage(caller, sent.assistantMessage.id)
  await h.deps.runner.idle()
  const edited = await call(
    'chat.edit',
    {
      messageId: sent.userMessage.id,
      clientMessageId: randomUUID(),
      content: 'Plan a rainy day in Porto.',
    },
    (i) => caller.chat.edit(i),
  )
  await finalMessage(caller, edited.assistantMessage.id)
  await h.deps.runner.idle()
  await call('message.siblings', { messageId: edited.userMessage.id }, (i) =>
    caller.message.siblings(i),
  )
  await call(
    'conversation.selectBranch',
    { conversationId: sent.conversation.id, messageId: sent.userMessage.id },
    (i) => caller.conversation.selectBranch(i),
  )
  await call('conversation.fork', { messageId: sent.assistantMessage.id }, (i) =>
    caller.conversation.fork(i),
  )
  await examples.save()
})
