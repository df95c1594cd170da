import { describe, expect, it } from 'vitest'
import { useTestChats } from './helpers/chat'
import { flat, squash, waitFor } from './helpers/wait'

const chats = useTestChats()

const CTRL_C = '\u0003'

const openChat = chats.open

async function currentConversation(chat: ReturnType<typeof openChat>) {
  const conversation = await waitFor(() => chat.controller.store.get().conversation)
  return chats.server.client.conversation.get.query({ id: conversation.id })
}

async function visibleMessages(conversationId: string) {
  return (await chats.server.client.message.list.query({ conversationId })).items
}

describe('chat view (real client and server)', () => {
  it('renders the answer incrementally as it streams, then the usage line and the generated title', async () => {
    const chat = openChat({ model: 'fake/lorem:tokens=60,delay=25' })
    await chat.newConversation()
    await chat.type('Stream something to me')
    // While streaming, the frame holds a growing part of the answer.
    const seen = new Set<number>()
    const started = Date.now()
    while (Date.now() - started < 10_000) {
      const state = chat.controller.store.get()
      if (state.live && state.live.content.length > 0) seen.add(squash(chat.frame()).length)
      if (!state.live && state.lastAnswer) break
      await new Promise((resolve) => setTimeout(resolve, 15))
    }
    expect(seen.size).toBeGreaterThanOrEqual(3)
    await waitFor(() => chat.controller.store.get().lastAnswer !== null, { timeoutMs: 30_000 })

    const conversation = await currentConversation(chat)
    const [, answer] = await visibleMessages(conversation.id)
    expect(answer?.status).toBe('completed')
    await chat.until((f) => squash(f).includes(squash(answer?.content)))
    await chat.until((f) => f.includes('→ 60 tokens'))
    // The title generated in the background arrives through `events`.
    await chat.until((f) => f.includes('Test Title'))
  })

  it('dispatches slash commands to the server', async () => {
    const chat = openChat({ model: 'fake/echo' })
    await chat.newConversation()
    await chat.type('/system Answer like a pirate')
    await chat.until((f) => f.includes('System prompt set.'))
    await chat.type('first question')
    await chat.until(() => chat.controller.store.get().lastAnswer !== null)
    const conversation = await currentConversation(chat)
    expect(conversation.systemPrompt).toBe('Answer like a pirate')
    expect(conversation.currentModel).toBe('fake/echo')

    await chat.type('/title Pirate talk')
    await chat.until((f) => f.includes('Renamed to “Pirate talk”.'))
    await chat.type('/model fake/lorem:tokens=5')
    await chat.until((f) => f.includes('Model: fake/lorem:tokens=5'))
    const updated = await chats.server.client.conversation.get.query({ id: conversation.id })
    expect(updated.title).toBe('Pirate talk')
    expect(updated.currentModel).toBe('fake/lorem:tokens=5')

    // /model without an exact id opens the searchable picker.
    await chat.type('/model')
    await chat.until((f) => f.includes('type to search') && f.includes('fake/tiny'))
    chat.ui.stdin.write('ech')
    await chat.until((f) => f.includes('search: ech') && !f.includes('fake/tiny'))
    chat.ui.stdin.write('\r')
    await chat.until((f) => f.includes('Model: fake/echo') && !f.includes('type to search'))
    expect(
      (await chats.server.client.conversation.get.query({ id: conversation.id })).currentModel,
    ).toBe('fake/echo')

    const [, before] = await visibleMessages(conversation.id)
    await chat.type('/retry fake/echo')
    await chat.until((f) => f.includes('↻ New answer with fake/echo'))
    await chat.until(
      () => !chat.controller.store.get().live && chat.controller.store.get().busy === null,
    )
    const after = await visibleMessages(conversation.id)
    expect(after).toHaveLength(2)
    expect(after[1]?.id).not.toBe(before?.id)
    expect(after[1]?.model).toBe('fake/echo')

    await chat.type('/help')
    await chat.until((f) => f.includes('/retry [model]'))
    await chat.type('/bogus')
    await chat.until((f) => f.includes('Unknown command /bogus'))

    await chat.type('/delete')
    await chat.until((f) => f.includes('(y/N)'))
    chat.ui.stdin.write('y')
    await chat.until((f) => f.includes('Deleted “Pirate talk”.'))
    await expect(
      chats.server.client.conversation.get.query({ id: conversation.id }),
    ).rejects.toThrow(/not found/i)

    await chat.type('/quit')
    await waitFor(() => chat.exited())
  })

  it('/retry with another model says the conversation switches; /new keeps the model just chosen', async () => {
    const chat = openChat({ model: 'fake/echo' })
    await chat.newConversation()
    await chat.type('hello there')
    await chat.until(() => chat.controller.store.get().lastAnswer !== null)
    await chat.type('/retry fake/lorem:tokens=3')
    await chat.until((f) =>
      flat(f).includes(flat('the conversation now uses fake/lorem:tokens=3; /model to change')),
    )
    await chat.until(() => !chat.controller.store.get().live)

    await chat.type('/model fake/tiny')
    await chat.until((f) => f.includes('Model: fake/tiny'))
    await chat.type('/new')
    await chat.until((f) => f.includes('New conversation') && f.includes('fake/tiny'))
    await chat.type('in a new one')
    await chat.until(() => chat.controller.store.get().lastAnswer !== null)
    const conversation = await currentConversation(chat)
    expect(conversation.currentModel).toBe('fake/tiny')
  })

  it('/copy puts the last (or nth) code block on the clipboard with OSC 52', async () => {
    const chat = openChat({ model: 'fake/echo' })
    await chat.newConversation()
    await chat.type('/copy')
    await chat.until((f) => f.includes('No code block to copy yet.'))
    // A paste: the input keeps its lines; fake/echo answers with the same text.
    chat.ui.stdin.write('```ts\nconst a = 1\n```\n\nand\n\n```sh\necho hi\necho there\n```')
    await chat.until((f) => f.includes('echo there'))
    chat.ui.stdin.write('\r')
    await chat.until(() => chat.controller.store.get().lastAnswer !== null)
    const copied = () => {
      const last = chat.terminal.at(-1) ?? ''
      const [open, close] = ['\u001b]52;c;', '\u0007']
      if (!last.startsWith(open) || !last.endsWith(close)) return null
      return Buffer.from(last.slice(open.length, -close.length), 'base64').toString('utf8')
    }
    await chat.type('/copy')
    await chat.until((f) => f.includes('Copied code block 2 (2 lines) to the clipboard.'))
    expect(copied()).toBe('echo hi\necho there')
    await chat.type('/copy 1')
    await chat.until((f) => f.includes('Copied code block 1 (1 line) to the clipboard.'))
    expect(copied()).toBe('const a = 1')
    await chat.type('/copy 3')
    await chat.until((f) => f.includes('There are 2 code blocks'))
    expect(chat.terminal).toHaveLength(2)
  })

  it('/role NAME sets the role’s system prompt and model; /role lists the roles', async () => {
    const chat = openChat({
      model: 'fake/echo',
      roles: { reviewer: { system: 'You review code.', model: 'fake/tiny' } },
    })
    await chat.newConversation()
    await chat.type('hi')
    await chat.until(() => chat.controller.store.get().lastAnswer !== null)
    await chat.type('/role')
    await chat.until((f) => f.includes('Roles: reviewer'))
    await chat.type('/role poet')
    await chat.until((f) => f.includes('Unknown role "poet". Roles: reviewer'))
    await chat.type('/role reviewer')
    await chat.until((f) => f.includes('Role: reviewer'))
    const conversation = await currentConversation(chat)
    expect(conversation.systemPrompt).toBe('You review code.')
    expect(conversation.currentModel).toBe('fake/tiny')
  })

  it('Ctrl-C while an answer streams stops it and keeps the partial text', async () => {
    const chat = openChat({ model: 'fake/lorem:tokens=400,delay=20' })
    await chat.newConversation()
    await chat.type('a long answer please')
    await waitFor(() => (chat.controller.store.get().live?.content.length ?? 0) > 40)
    chat.ui.stdin.write(CTRL_C)
    await chat.until((f) => f.includes('■ stopped'))
    expect(chat.exited()).toBe(false)
    const conversation = await currentConversation(chat)
    const [, answer] = await visibleMessages(conversation.id)
    expect(answer?.status).toBe('cancelled')
    expect(answer?.content.length).toBeGreaterThan(40)
    expect(answer?.content.trim().split(/\s+/).length ?? 400).toBeLessThan(350)
    expect(squash(chat.frame())).toContain(squash(answer?.content))
    // Idle now: Ctrl-C exits.
    chat.ui.stdin.write(CTRL_C)
    await waitFor(() => chat.exited())
  })

  it('lists conversations and opens one with its history', async () => {
    const { conversation } = await chats.server.client.chat.send.mutate({
      clientMessageId: crypto.randomUUID(),
      content: 'remember the milk',
      model: 'fake/echo',
    })
    await waitFor(
      async () => (await visibleMessages(conversation.id)).at(-1)?.status === 'completed',
    )
    await chats.server.client.conversation.update.mutate({ id: conversation.id, title: 'Shopping' })
    const chat = openChat()
    await chat.until((f) => f.includes('Conversations') && f.includes('Shopping'))
    const position = chat.controller.store
      .get()
      .list.items.findIndex((item) => item.id === conversation.id)
    for (let i = 0; i <= position; i++) chat.ui.stdin.write('\u001b[B')
    chat.ui.stdin.write('\r')
    await chat.until((f) => f.includes('remember the milk') && f.includes('fake/echo'))
    expect(chat.controller.store.get().conversation?.id).toBe(conversation.id)
  })

  it('pages history back on demand (/more and PgUp)', async () => {
    let conversationId: string | undefined
    for (const word of ['alpha', 'bravo', 'charlie']) {
      const sent = await chats.server.client.chat.send.mutate({
        clientMessageId: crypto.randomUUID(),
        content: `${word} message`,
        model: 'fake/echo',
        ...(conversationId ? { conversationId } : {}),
      })
      conversationId = sent.conversation.id
      await waitFor(
        async () => (await visibleMessages(sent.conversation.id)).at(-1)?.status === 'completed',
      )
    }
    const chat = openChat({ conversation: conversationId ?? '', pageSize: 2 })
    await chat.until((f) => f.includes('charlie message') && f.includes('earlier messages'))
    expect(chat.frame()).not.toContain('bravo message')
    await chat.type('/more')
    await chat.until((f) => f.includes('bravo message'))
    expect(chat.frame()).not.toContain('alpha message')
    chat.ui.stdin.write('\u001b[5~') // PgUp
    await chat.until((f) => f.includes('alpha message'))
    const last = chat.frame().split('alpha message')
    expect(last.at(-1)).not.toContain('earlier messages')
    await chat.type('/more')
    await chat.until((f) => f.includes('No earlier messages.'))
  })

  it('branches: /retry keeps the old answer, /branch prev|next shows 1/2 and 2/2, /edit, /fork', async () => {
    const chat = openChat({ model: 'fake/echo' })
    await chat.newConversation()
    await chat.type('the first question')
    await chat.until(() => chat.controller.store.get().lastAnswer !== null)
    const conversation = await currentConversation(chat)
    const [, first] = await visibleMessages(conversation.id)

    await chat.type('/retry fake/lorem:tokens=3')
    await chat.until((f) => f.includes('branch 2/2'))
    await chat.until(
      () => !chat.controller.store.get().live && chat.controller.store.get().busy === null,
    )
    await chat.type('/branch prev')
    await chat.until((f) => f.includes('Branch 1/2'))
    expect((await visibleMessages(conversation.id)).at(-1)?.id).toBe(first?.id)
    expect(chat.frame()).toContain('branch 1/2 · ←/→ or /branch prev|next')
    await chat.type('/branch prev')
    await chat.until((f) => f.includes('Already on the first branch.'))
    await chat.type('/branch next')
    await chat.until((f) => f.includes('Branch 2/2'))
    expect((await visibleMessages(conversation.id)).at(-1)?.id).not.toBe(first?.id)

    await chat.type('/edit the better question')
    await chat.until((f) => f.includes('✎ Edited · branch 2/2'))
    await chat.until(
      () => !chat.controller.store.get().live && chat.controller.store.get().busy === null,
    )
    const edited = await visibleMessages(conversation.id)
    // (The answer comes from the conversation's model, the one /retry chose.)
    expect(edited.map((m) => [m.role, m.status, m.branch.count])).toEqual([
      ['user', 'completed', 2],
      ['assistant', 'completed', 1],
    ])
    expect(edited[0]?.content).toBe('the better question')

    await chat.type('/fork')
    await chat.until((f) => f.includes('into a new conversation'))
    const fork = await waitFor(() => {
      const open = chat.controller.store.get().conversation
      return open !== null && open.id !== conversation.id ? open : null
    })
    expect((await visibleMessages(fork.id)).map((m) => m.content)).toEqual(
      edited.map((m) => m.content),
    )
  })
})
