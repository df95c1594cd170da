import { stripVTControlCharacters } from 'node:util'
import { renderToString } from 'ink'
import { render } from 'ink-testing-library'
import { describe, expect, it, vi } from 'vitest'
import { InputLine } from '../src/ui/input-line'
import { Markdown } from '../src/ui/markdown'
import { flat, waitFor } from './helpers/wait'

const strip = (text: string) => stripVTControlCharacters(text)

describe('<Markdown>', () => {
  const source = [
    '# Big title',
    '',
    'Some **bold**, *em*, ~~gone~~ and `inline code` with a [link](https://example.com).',
    '',
    '- first **item**',
    '- second',
    '  - nested',
    '',
    '1. one',
    '2. two',
    '',
    '- [x] done',
    '- [ ] todo',
    '',
    '```ts',
    'const answer = 42 // the answer',
    '```',
    '',
    '> quoted text',
    '',
    '| name | qty |',
    '|------|----:|',
    '| tea  |   2 |',
  ].join('\n')
  const out = strip(renderToString(<Markdown source={source} />, { columns: 80 }))
  const lines = out.split('\n').map((line) => line.trimEnd())

  it('renders headings and inline emphasis without markdown syntax', () => {
    expect(lines).toContain('Big title')
    expect(out).not.toContain('#')
    expect(out).toContain('Some bold, em, gone and inline code with a link (https://example.com).')
    expect(out).not.toMatch(/\*\*|~~|`/)
  })

  it('renders lists: bullets, numbers, nesting, tasks', () => {
    expect(lines).toContain('• first item')
    expect(lines).toContain('• second')
    expect(lines).toContain('  • nested')
    expect(lines).toContain('1. one')
    expect(lines).toContain('2. two')
    expect(lines).toContain('☑ done')
    expect(lines).toContain('☐ todo')
  })

  it('renders a fenced code block with its language and no fences', () => {
    const label = lines.indexOf('ts')
    expect(label).toBeGreaterThan(-1)
    expect(lines[label + 1]).toBe('│ const answer = 42 // the answer')
    expect(out).not.toContain('```')
  })

  it('renders quotes and tables', () => {
    expect(lines).toContain('│ quoted text')
    const header = lines.findIndex((line) => /^name\s+│\s+qty$/.test(line))
    expect(header).toBeGreaterThan(-1)
    expect(lines[header + 1]).toMatch(/^─+┼─+$/)
    expect(lines[header + 2]).toMatch(/^tea\s+│\s+2$/)
  })

  it('styles with ANSI when colours are on', () => {
    const styled = renderToString(<Markdown source="**bold**" />, { columns: 40 })
    // Whether chalk colours depends on the environment; the visible text never changes.
    expect(strip(styled)).toBe('bold')
  })
})

describe('<InputLine>', () => {
  const ENTER = '\r'
  const ALT_ENTER = '\u001b\r'
  const UP = '\u001b[A'

  it('submits on Enter, and keeps history for ↑', async () => {
    const onSubmit = vi.fn()
    const ui = render(<InputLine onSubmit={onSubmit} />)
    ui.stdin.write('hello')
    await waitFor(() => flat(ui.lastFrame()).includes('hello'))
    ui.stdin.write(ENTER)
    await waitFor(() => onSubmit.mock.calls.length === 1)
    expect(onSubmit).toHaveBeenLastCalledWith('hello')
    ui.stdin.write(UP)
    await waitFor(() => flat(ui.lastFrame()).includes('hello'))
    ui.stdin.write(ENTER)
    await waitFor(() => onSubmit.mock.calls.length === 2)
    expect(onSubmit).toHaveBeenLastCalledWith('hello')
    ui.unmount()
  })

  it('makes new lines with Alt+Enter, a trailing backslash, or a paste', async () => {
    const onSubmit = vi.fn()
    const ui = render(<InputLine onSubmit={onSubmit} />)
    ui.stdin.write('one')
    await waitFor(() => flat(ui.lastFrame()).includes('one'))
    ui.stdin.write(ALT_ENTER)
    ui.stdin.write('two\\')
    await waitFor(() => flat(ui.lastFrame()).includes('two\\'))
    ui.stdin.write(ENTER)
    ui.stdin.write('three\rfour')
    await waitFor(() => flat(ui.lastFrame()).includes('four'))
    expect(onSubmit).not.toHaveBeenCalled()
    expect(
      strip(ui.lastFrame() ?? '')
        .split('\n')
        .map((l) => l.trim()),
    ).toEqual(['› one', 'two', 'three', 'four'])
    ui.stdin.write(ENTER)
    await waitFor(() => onSubmit.mock.calls.length === 1)
    expect(onSubmit).toHaveBeenLastCalledWith('one\ntwo\nthree\nfour')
    ui.unmount()
  })

  it('treats one line plus Enter in a single chunk as typed-ahead and submits it', async () => {
    const onSubmit = vi.fn()
    const ui = render(<InputLine onSubmit={onSubmit} />)
    ui.stdin.write('/model fake/echo\r')
    await waitFor(() => onSubmit.mock.calls.length === 1)
    expect(onSubmit).toHaveBeenLastCalledWith('/model fake/echo')
    ui.unmount()
  })
})
