import { render } from 'ink-testing-library'
import { describe, expect, it } from 'vitest'
import type { Message } from '@t3chat/client'
import { settledLength } from '../src/answer/settle'
import { AnswerView, createAnswerStore } from '../src/ui/answer-view'
import { flat, waitFor } from './helpers/wait'

function finalMessage(content: string): Message {
  return {
    id: 'm',
    conversationId: 'c',
    parentId: null,
    branch: { index: 1, count: 1 },
    seq: 2,
    role: 'assistant',
    content,
    model: 'fake/echo',
    status: 'completed',
    error: null,
    usage: null,
    createdAt: new Date().toISOString(),
    completedAt: new Date().toISOString(),
  }
}

describe('a long answer is drawn at a capped frame rate, finished blocks once', () => {
  it('2,000 tokens arriving at once make one redraw now and one at the next frame', async () => {
    const store = createAnswerStore('fake/echo')
    let updates = 0
    store.store.subscribe(() => (updates += 1))
    let content = ''
    for (let i = 0; i < 2_000; i++) {
      content += i % 50 === 49 ? 'word.\n\n' : 'word '
      store.text(content)
    }
    expect(updates).toBe(1)
    await waitFor(() => updates === 2)
    // The frame took the latest text: everything but the growing last block is settled.
    const printed = store.store
      .get()
      .entries.map((entry) => (entry.kind === 'answer' ? entry.markdown : ''))
      .join('')
    expect(printed.length).toBe(settledLength(content))
    expect(printed.length).toBeGreaterThan(content.length - 300)
  })

  it('a paragraph still growing is one block: nothing settles until a new block starts', () => {
    expect(settledLength('word '.repeat(3_000))).toBe(0)
    expect(settledLength('one paragraph\n\nand the next')).toBe('one paragraph\n\n'.length)
  })

  it('the view ends with exactly the stored answer', async () => {
    const store = createAnswerStore('fake/echo')
    const ui = render(<AnswerView store={store} columns={80} rows={20} />)
    const words = Array.from({ length: 600 }, (_, i) => `w${i}`)
    let content = ''
    for (const word of words) {
      content += `${word} `
      store.text(content)
    }
    store.finish(finalMessage(content.trim()))
    await waitFor(() => flat(ui.lastFrame()).includes(flat(`w598 w599`)), {
      describe: () => ui.lastFrame() ?? '',
    })
    const frames = ui.frames.join('\n')
    expect(flat(frames)).toContain(flat(words.join(' ')))
    ui.unmount()
  })
})
