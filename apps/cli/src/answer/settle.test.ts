import { describe, expect, it } from 'vitest'
import { clampTail, settledLength } from './settle'

describe('settledLength', () => {
  it('settles nothing while there is only one block', () => {
    expect(settledLength('')).toBe(0)
    expect(settledLength('A paragraph still growing')).toBe(0)
    expect(settledLength('```ts\nconst a = 1\n')).toBe(0)
  })

  it('settles every block that another block follows', () => {
    const text = '# Title\n\nFirst paragraph.\n\nSecond, still'
    const settled = settledLength(text)
    expect(text.slice(0, settled)).toBe('# Title\n\nFirst paragraph.\n\n')
    expect(text.slice(settled)).toBe('Second, still')
  })

  it('keeps a list open until something else follows it', () => {
    expect(settledLength('Intro\n\n- one\n- two')).toBe('Intro\n\n'.length)
    const closed = '- one\n- two\n\nAfter'
    expect(closed.slice(settledLength(closed))).toBe('After')
  })

  it('keeps an unclosed code fence live, then settles it when closed and followed', () => {
    const open = 'Look:\n\n```js\nlet x = 1\n\nlet y'
    expect(open.slice(settledLength(open))).toBe('```js\nlet x = 1\n\nlet y')
    const closed = '```js\nlet x = 1\n```\n\nDone'
    expect(closed.slice(settledLength(closed))).toBe('Done')
  })
})

describe('clampTail', () => {
  it('leaves short text alone', () => {
    expect(clampTail('a\nb', 5, 80)).toEqual({ text: 'a\nb', hiddenLines: 0 })
  })

  it('keeps the last rows of many lines', () => {
    const text = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n')
    const { text: shown, hiddenLines } = clampTail(text, 10, 80)
    expect(shown.split('\n')).toHaveLength(10)
    expect(shown.endsWith('line 49')).toBe(true)
    expect(hiddenLines).toBe(40)
  })

  it('keeps the end of one very long line', () => {
    const text = `${'word '.repeat(1000)}END`
    const { text: shown } = clampTail(text, 5, 40)
    expect(shown.startsWith('…')).toBe(true)
    expect(shown.endsWith('END')).toBe(true)
    expect(shown.length).toBeLessThanOrEqual(5 * 40)
  })

  it('keeps the opening fence of a long code block', () => {
    const text = `\`\`\`python\n${Array.from({ length: 30 }, (_, i) => `x = ${i}`).join('\n')}`
    const { text: shown } = clampTail(text, 6, 80)
    const lines = shown.split('\n')
    expect(lines[0]).toBe('```python')
    expect(lines.at(-1)).toBe('x = 29')
    expect(lines.length).toBeLessThanOrEqual(6)
  })
})
