import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useTestChats } from './helpers/chat'
import { flat, waitFor } from './helpers/wait'

const chats = useTestChats()

const openChat = chats.open
const DOWN = '\u001B[B'
const LEFT = '\u001B[D'
const RIGHT = '\u001B[C'

/** A conversation with these user messages, each answered (fake/echo), written through the API. */
async function seedConversation(title: string, contents: string[]): Promise<string> {
  let conversationId: string | undefined
  for (const content of contents) {
    const sent = await chats.server.client.chat.send.mutate({
      clientMessageId: randomUUID(),
      content,
      model: 'fake/echo',
      ...(conversationId ? { conversationId } : {}),
    })
    conversationId = sent.conversation.id
    await waitFor(async () => {
      const page = await chats.server.client.message.list.query({
        conversationId: sent.conversation.id,
      })
      return page.items.at(-1)?.status === 'completed'
    })
  }
  if (conversationId === undefined) throw new Error('no messages')
  await chats.server.client.conversation.update.mutate({ id: conversationId, title })
  return conversationId
}

async function activePath(conversationId: string) {
  return (await chats.server.client.message.list.query({ conversationId })).items
}

describe('finding and moving around (real client and server)', () => {
  it('/search lists the matches, ↓ selects, Enter opens that conversation at the match', async () => {
    await seedConversation('Seabirds', [
      'the wandering albatross glides for hours',
      'what about gulls',
      'and terns',
      'and puffins',
    ])
    await seedConversation('Poems', ['an albatross in a poem', 'rhyme it'])
    const { items: hits } = await chats.server.client.search.messages.query({ query: 'albatross' })
    // (fake/echo answers with the question, so answers match too.)
    const second = hits[1]
    if (second === undefined) throw new Error('at least two hits expected')

    // A small page, so the match is older than what an open shows first.
    const chat = openChat({ model: 'fake/echo', pageSize: 2 })
    await chat.newConversation()
    await chat.type('/search albatross')
    await chat.until((f) => f.includes(`${hits.length} matches for “albatross”`))
    expect(chat.frame()).toContain('Seabirds')
    expect(chat.frame()).toContain('Poems')
    chat.ui.stdin.write(DOWN)
    await chat.until((f) => f.includes(`2 of ${hits.length}`))
    chat.ui.stdin.write('\r')
    await waitFor(() => chat.controller.store.get().conversation?.id === second.conversationId, {
      describe: chat.frame,
    })
    await chat.until((f) => !f.includes('matches for'))
    // The transcript reaches back to the match, marked.
    const marked = chat.controller.store.get().entries
    const at = marked.findIndex((e) => e.kind === 'notice' && e.text === '▸ match for “albatross”')
    expect(at).toBeGreaterThan(0)
    const matched = marked[at + 1]
    const text =
      matched?.kind === 'user'
        ? matched.content
        : matched?.kind === 'answer'
          ? matched.markdown
          : ''
    expect(text).toContain('albatross')
    // Older messages than the first page (the last two; seqs count from 1) were loaded to reach it.
    expect(second.seq).toBeLessThanOrEqual((await activePath(second.conversationId)).length - 2)
  })

  it('/search with nothing found says so; Esc closes the list', async () => {
    await seedConversation('Weather', ['rain tomorrow'])
    const chat = openChat({ model: 'fake/echo' })
    await chat.newConversation()
    await chat.type('/search zzyzx')
    await chat.until((f) => f.includes('Nothing matches “zzyzx”.'))
    await chat.type('/search rain')
    await chat.until((f) => /\d+ match(es)? for “rain”/.test(f))
    chat.ui.stdin.write('\u001B')
    await chat.until((f) => !f.includes('for “rain”'))
    expect(chat.controller.store.get().conversation).toBeNull()
  })

  it('/edit picks an earlier message of yours; ←/→ on an empty line switch its branches', async () => {
    const chat = openChat({ model: 'fake/echo' })
    await chat.newConversation()
    await chat.type('first question')
    await chat.until(() => chat.controller.store.get().lastAnswer !== null)
    await chat.type('second question')
    await chat.until(
      () =>
        chat.controller.store.get().live === null &&
        chat.controller.store.get().entries.filter((e) => e.kind === 'answer-end').length === 2,
    )
    const conversation = await waitFor(() => chat.controller.store.get().conversation)
    const original = await activePath(conversation.id)

    await chat.type('/edit')
    await chat.until((f) => f.includes('Edit which message?'))
    // Newest first: ↓ picks the first question, which lands in the input to change.
    chat.ui.stdin.write(DOWN)
    await chat.until((f) => f.includes('2 of 2'))
    chat.ui.stdin.write('\r')
    await chat.until((f) => f.includes('› first question') && !f.includes('Edit which message?'))
    await chat.type(', revised')
    await chat.until((f) => f.includes('✎ Edited · branch 2/2'))
    await chat.until(() => chat.controller.store.get().live === null)
    const edited = await activePath(conversation.id)
    expect(edited.map((m) => [m.role, m.content])).toEqual([
      ['user', 'first question, revised'],
      ['assistant', expect.stringContaining('first question, revised')],
    ])
    expect(edited[0]?.branch).toEqual({ index: 2, count: 2 })

    // ← on the empty line: the original branch, with everything that followed it.
    chat.ui.stdin.write(LEFT)
    await chat.until((f) => f.includes('Branch 1/2'))
    expect((await activePath(conversation.id)).map((m) => m.id)).toEqual(original.map((m) => m.id))
    expect(flat(chat.frame())).toContain('second question')
    chat.ui.stdin.write(RIGHT)
    await chat.until((f) => f.includes('Branch 2/2'))
    expect((await activePath(conversation.id)).map((m) => m.id)).toEqual(edited.map((m) => m.id))
  })
})
