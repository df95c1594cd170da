import { describe, expect, it } from 'vitest'
import { completeCommand, parseInput } from './slash'

describe('parseInput', () => {
  it('treats plain text as a message, keeping inner lines', () => {
    expect(parseInput('hello\nworld  ')).toEqual({ kind: 'message', text: 'hello\nworld' })
  })

  it('parses every command with its argument', () => {
    expect(parseInput('/new')).toEqual({ kind: 'command', command: { name: 'new' } })
    expect(parseInput('/list')).toEqual({ kind: 'command', command: { name: 'list' } })
    expect(parseInput('/open 3')).toEqual({ kind: 'command', command: { name: 'open', ref: '3' } })
    expect(parseInput('/model')).toEqual({ kind: 'command', command: { name: 'model', query: '' } })
    expect(parseInput('/model  claude sonnet ')).toEqual({
      kind: 'command',
      command: { name: 'model', query: 'claude sonnet' },
    })
    expect(parseInput('/system')).toEqual({
      kind: 'command',
      command: { name: 'system', action: 'show' },
    })
    expect(parseInput('/system clear')).toEqual({
      kind: 'command',
      command: { name: 'system', action: 'clear' },
    })
    expect(parseInput('/system Be terse.\nAlways.')).toEqual({
      kind: 'command',
      command: { name: 'system', action: 'set', text: 'Be terse.\nAlways.' },
    })
    expect(parseInput('/title Trip plans')).toEqual({
      kind: 'command',
      command: { name: 'title', text: 'Trip plans' },
    })
    expect(parseInput('/retry')).toEqual({
      kind: 'command',
      command: { name: 'retry', model: null },
    })
    expect(parseInput('/retry openai/gpt-4o')).toEqual({
      kind: 'command',
      command: { name: 'retry', model: 'openai/gpt-4o' },
    })
    expect(parseInput('/delete')).toEqual({ kind: 'command', command: { name: 'delete' } })
    expect(parseInput('/more')).toEqual({ kind: 'command', command: { name: 'more' } })
    expect(parseInput('/help')).toEqual({ kind: 'command', command: { name: 'help' } })
    expect(parseInput('/quit')).toEqual({ kind: 'command', command: { name: 'quit' } })
    expect(parseInput('/exit')).toEqual({ kind: 'command', command: { name: 'quit' } })
  })

  it('rejects unknown commands and missing arguments with a usage line', () => {
    expect(parseInput('/bogus')).toMatchObject({
      kind: 'invalid',
      error: expect.stringContaining('Unknown command /bogus'),
    })
    expect(parseInput('/open')).toMatchObject({
      kind: 'invalid',
      error: expect.stringContaining('Usage: /open'),
    })
    expect(parseInput('/title')).toMatchObject({
      kind: 'invalid',
      error: expect.stringContaining('Usage: /title'),
    })
    expect(parseInput('/new now')).toMatchObject({ kind: 'invalid' })
  })

  it('sends a leading slash literally when doubled', () => {
    expect(parseInput('//etc/hosts is a file')).toEqual({
      kind: 'message',
      text: '/etc/hosts is a file',
    })
  })

  it('completes a unique command prefix', () => {
    expect(completeCommand('/mod')).toBe('/model ')
    expect(completeCommand('/mo')).toBeNull() // /model or /more
    expect(completeCommand('/n')).toBe('/new ')
    expect(completeCommand('/xyz')).toBeNull()
    expect(completeCommand('hello')).toBeNull()
  })
})

describe('branch commands', () => {
  it('parse /edit, /branch and /fork, and refuse them without what they need', () => {
    expect(parseInput('/edit a better question')).toEqual({
      kind: 'command',
      command: { name: 'edit', text: 'a better question' },
    })
    expect(parseInput('/branch next')).toEqual({
      kind: 'command',
      command: { name: 'branch', direction: 'next' },
    })
    expect(parseInput('/branch prev')).toEqual({
      kind: 'command',
      command: { name: 'branch', direction: 'prev' },
    })
    expect(parseInput('/fork')).toEqual({ kind: 'command', command: { name: 'fork' } })
    // Without text, /edit lets you pick the message.
    expect(parseInput('/edit')).toEqual({ kind: 'command', command: { name: 'edit', text: null } })
    expect(parseInput('/branch sideways')).toMatchObject({ kind: 'invalid' })
    expect(parseInput('/fork now')).toMatchObject({ kind: 'invalid' })
  })

  it('parse /search, /share and /export', () => {
    expect(parseInput('/search  tide tables')).toEqual({
      kind: 'command',
      command: { name: 'search', query: 'tide tables' },
    })
    expect(parseInput('/search')).toMatchObject({ kind: 'invalid', error: /Usage: \/search/ })
    expect(parseInput('/share')).toMatchObject({ command: { name: 'share', action: 'create' } })
    expect(parseInput('/share list')).toMatchObject({ command: { action: 'list' } })
    expect(parseInput('/share revoke')).toMatchObject({ command: { action: 'revoke', ref: null } })
    expect(parseInput('/share revoke 1a2b')).toMatchObject({ command: { ref: '1a2b' } })
    expect(parseInput('/share nonsense')).toMatchObject({ kind: 'invalid' })
    expect(parseInput('/export')).toMatchObject({ command: { format: 'md', file: null } })
    expect(parseInput('/export json')).toMatchObject({ command: { format: 'json', file: null } })
    expect(parseInput('/export md notes.md')).toMatchObject({
      command: { format: 'md', file: 'notes.md' },
    })
    expect(parseInput('/export chat.json')).toMatchObject({
      command: { format: 'json', file: 'chat.json' },
    })
  })
})
