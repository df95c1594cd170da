import { describe, expect, it } from 'vitest'
import { highlightLines, isLoaded, loadLanguage, loadLanguagesOf } from './highlight'

describe('code highlighting by the fence’s language (highlight.js grammars, loaded lazily)', () => {
  it('loads nothing until a language is asked for, then colours by its grammar', async () => {
    expect(isLoaded('ts')).toBe(false)
    expect(highlightLines('const x = 1', 'ts')).toBeNull()
    expect(await loadLanguage('ts')).toBe(true)
    const [line] = highlightLines('const greeting = "hi" // say it', 'typescript') ?? []
    expect(line).toContainEqual({ text: 'const', color: 'magenta' })
    expect(line).toContainEqual({ text: '"hi"', color: 'green' })
    expect(line).toContainEqual({ text: '// say it', color: 'gray' })
    expect(line?.map((segment) => segment.text).join('')).toBe('const greeting = "hi" // say it')
  })

  it('keeps lines apart, and knows other languages by their fence names', async () => {
    await loadLanguagesOf('text\n\n```py\ndef f():\n    return None\n```\n')
    const lines = highlightLines('def f():\n    return None', 'py') ?? []
    expect(lines).toHaveLength(2)
    expect(lines[0]).toContainEqual({ text: 'def', color: 'magenta' })
    expect(lines[1]).toContainEqual({ text: 'return', color: 'magenta' })
    expect(isLoaded('rust')).toBe(false)
  })

  it('unknown or odd languages stay plain', async () => {
    expect(await loadLanguage('klingon')).toBe(false)
    expect(await loadLanguage('../../etc/passwd')).toBe(false)
    expect(highlightLines('qapla', 'klingon')).toBeNull()
  })
})
