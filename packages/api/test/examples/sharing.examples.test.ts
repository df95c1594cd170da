import { readFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { it } from 'vitest'
import { useHarness } from '../harness'
import { recordExamples } from '../support/examples'
import { finalMessage } from '../support/engine'

const h = useHarness()

// The reference's examples of share links, export and import (docs/examples/sharing.json).
it('records an example of every share, export and import procedure', async () => {
  const examples = recordExamples('sharing')
  const { caller } = await h.user()
  const call = examples.call
  const sent = await caller.chat.send({
    clientMessageId: randomUUID(),
    content: 'Name three rivers in Portugal.',
    model: 'fake/echo',
  })
  await finalMessage(caller, sent.assistantMessage.id)
  await h.deps.runner.idle()
  const conversationId = sent.conversation.id

  const share = await caller.share.create({ conversationId })
  // The token is random: the example shows a placeholder in its place.
  const token = share.token ?? ''
  examples.add('share.create', {
    input: { conversationId },
    output: { ...share, token: '<token>' },
  })
  await call('share.list', { conversationId }, (i) => caller.share.list(i))
  const shared = await h.anonymous().share.get({ token })
  examples.add('share.get', { input: { token: '<token>' }, output: shared })
  await call('share.revoke', { id: share.id }, (i) => caller.share.revoke(i))

  const exportInput = { id: conversationId, format: 'markdown' as const }
  const exported = await caller.conversation.export(exportInput)
  // The markdown names the conversation's time: the example shows a fixed one.
  const content = exported.content.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '2026-01-01T00:00:00.000Z')
  examples.add('conversation.export', { input: exportInput, output: { ...exported, content } })
  const chatgpt: unknown = JSON.parse(
    await readFile(new URL('../fixtures/chatgpt/linear.json', import.meta.url), 'utf8'),
  )
  await call('conversation.import', { format: 'chatgpt' as const, data: chatgpt }, (i) =>
    caller.conversation.import(i),
  )
  await examples.save()
})
