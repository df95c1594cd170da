import { describe, expect, it } from 'vitest'
import { buildTitlePrompt, cleanTitle, fallbackTitle } from '../src/index'

describe('cleanTitle', () => {
  it.each([
    ['Rust Ownership Explained', 'Rust Ownership Explained'],
    ['"Rust Ownership Explained"', 'Rust Ownership Explained'],
    ['“Planning a Trip to Kyoto”', 'Planning a Trip to Kyoto'],
    ["'Quoted'.", 'Quoted'],
    ['Title: Sourdough Starter Tips.', 'Sourdough Starter Tips'],
    ['**Title:** Sourdough Starter Tips', 'Sourdough Starter Tips'],
    ['## Debugging   Node\tStreams', 'Debugging Node Streams'],
    ['\n\n  Kubernetes Pod Restarts  \nExplanation: because…', 'Kubernetes Pod Restarts'],
    ['Title:\n"Actual Title Here"', 'Actual Title Here'],
    ['`Regex for Emails`', 'Regex for Emails'],
    ['Why is the sky blue?', 'Why is the sky blue?'],
    ['Café au lait 🚀', 'Café au lait 🚀'],
  ])('%j → %j', (raw, expected) => {
    expect(cleanTitle(raw)).toBe(expected)
  })

  it.each(['', '   \n\t ', '""', '**', 'Title:'])('%j → null', (raw) => {
    expect(cleanTitle(raw)).toBeNull()
  })

  it('cuts long titles at a word boundary, at most 80 characters', () => {
    const raw =
      'A very long title that keeps going and going well past the limit of eighty characters for sure'
    const title = cleanTitle(raw)
    expect(title?.length).toBeLessThanOrEqual(80)
    expect(raw.startsWith(`${title ?? ''} `)).toBe(true)
  })

  it('hard-cuts a single huge word without splitting an emoji', () => {
    const title = cleanTitle(`${'x'.repeat(79)}🚀🚀`)
    expect(title).toBe('x'.repeat(79))
  })
})

describe('fallbackTitle', () => {
  it('uses the first words of the message', () => {
    expect(fallbackTitle('  How do I   reverse\na list in Python?  ')).toBe(
      'How do I reverse a list in Python?',
    )
  })

  it('stays within 80 characters, cut at a word', () => {
    const msg =
      'Please explain in detail how the garbage collector in the V8 engine decides when to run a major collection'
    const title = fallbackTitle(msg)
    expect(title.length).toBeLessThanOrEqual(80)
    expect(msg.startsWith(`${title} `)).toBe(true)
  })

  it('says "New chat" for an empty message', () => {
    expect(fallbackTitle('')).toBe('New chat')
    expect(fallbackTitle(' \n ')).toBe('New chat')
  })
})

describe('buildTitlePrompt', () => {
  it('asks for a short title and carries both texts', () => {
    const messages = buildTitlePrompt('What is a monad?', 'A monad is a design pattern…')
    expect(messages.map((m) => m.role)).toEqual(['system', 'user'])
    expect(messages[0]?.content).toMatch(/3 to 7 words/)
    expect(messages[0]?.content).toMatch(/no quotes/)
    expect(messages[1]?.content).toContain('What is a monad?')
    expect(messages[1]?.content).toContain('A monad is a design pattern…')
  })

  it('keeps the prompt short for long conversations', () => {
    const messages = buildTitlePrompt('q'.repeat(50_000), 'a '.repeat(50_000))
    expect(messages[1]?.content.length).toBeLessThan(2_500)
  })
})
