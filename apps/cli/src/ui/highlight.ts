import type { Element, ElementContent, Root } from 'hast'

/** A piece of a highlighted line and its colour (none: plain). */
export interface Segment {
  text: string
  color: string | undefined
}

/**
 * The part of lowlight used here. Its own type declarations pull in highlight.js's, which
 * add the DOM library to the whole program, so the modules are imported by name at run time.
 */
interface Lowlight {
  highlight(language: string, value: string): Root
  register(name: string, grammar: unknown): void
  registered(aliasOrName: string): boolean
}

const LOWLIGHT = 'lowlight'
const GRAMMARS = 'highlight.js/lib/languages'

async function importLowlight(): Promise<{ createLowlight: () => Lowlight }> {
  return (await import(LOWLIGHT)) as { createLowlight: () => Lowlight }
}

/** Fence names that are not highlight.js file names (the grammars' own aliases, preloaded). */
const FILE_OF: Readonly<Record<string, string>> = {
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  py: 'python',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  console: 'bash',
  yml: 'yaml',
  rs: 'rust',
  rb: 'ruby',
  md: 'markdown',
  'c++': 'cpp',
  cc: 'cpp',
  h: 'c',
  cs: 'csharp',
  kt: 'kotlin',
  golang: 'go',
  html: 'xml',
  svg: 'xml',
  jsonc: 'json',
  ps1: 'powershell',
  psql: 'pgsql',
  tf: 'hcl',
}

const COLORS: Readonly<Record<string, string>> = {
  keyword: 'magenta',
  built_in: 'cyan',
  type: 'cyan',
  literal: 'yellow',
  number: 'yellow',
  string: 'green',
  regexp: 'green',
  comment: 'gray',
  doctag: 'gray',
  meta: 'gray',
  title: 'blue',
  'title.function': 'blue',
  'title.class': 'cyan',
  attr: 'cyan',
  attribute: 'cyan',
  property: 'cyan',
  variable: 'red',
  'template-variable': 'red',
  symbol: 'yellow',
  tag: 'blue',
  name: 'blue',
  section: 'cyan',
  bullet: 'yellow',
  addition: 'green',
  deletion: 'red',
}

let lowlight: Lowlight | null = null
const loading = new Map<string, Promise<boolean>>()

/** The highlight.js grammar file a fence's language names, or null for something else. */
function grammarFile(lang: string): string | null {
  const name = lang.trim().toLowerCase()
  const file = FILE_OF[name] ?? name
  return /^[a-z0-9][a-z0-9-]*$/.test(file) ? file : null
}

/** Whether code in `lang` can be highlighted right now (its grammar is loaded). */
export function isLoaded(lang: string): boolean {
  const file = grammarFile(lang)
  return lowlight !== null && file !== null && lowlight.registered(file)
}

/**
 * Loads the grammar of `lang` (and the highlighter itself, the first time): nothing is
 * loaded until a code block needs it. Resolves false for a language highlight.js does not know.
 */
export function loadLanguage(lang: string): Promise<boolean> {
  const file = grammarFile(lang)
  if (file === null) return Promise.resolve(false)
  let pending = loading.get(file)
  if (pending === undefined) {
    pending = (async () => {
      try {
        const [{ createLowlight }, grammar] = await Promise.all([
          importLowlight(),
          import(`${GRAMMARS}/${file}`) as Promise<{ default: unknown }>,
        ])
        lowlight ??= createLowlight()
        lowlight.register(file, grammar.default)
        return true
      } catch {
        return false
      }
    })()
    loading.set(file, pending)
  }
  return pending
}

/** Loads the grammars of every fenced code block in `markdown` (before a one-time render). */
export async function loadLanguagesOf(markdown: string): Promise<void> {
  const langs = new Set(
    [...markdown.matchAll(/^\s{0,3}(?:```|~~~)\s*([\w+#.-]+)/gm)].map((m) => m[1] ?? ''),
  )
  await Promise.all([...langs].map((lang) => loadLanguage(lang)))
}

/** `code` as coloured lines, or null while its grammar is not loaded (or unknown). */
export function highlightLines(code: string, lang: string): Segment[][] | null {
  const file = grammarFile(lang)
  if (lowlight === null || file === null || !lowlight.registered(file)) return null
  const lines: Segment[][] = [[]]
  const walk = (
    nodes: readonly (ElementContent | Root['children'][number])[],
    color: string | undefined,
  ) => {
    for (const node of nodes) {
      if (node.type === 'text') {
        const parts = node.value.split('\n')
        parts.forEach((text, index) => {
          if (index > 0) lines.push([])
          if (text !== '') lines.at(-1)?.push({ text, color })
        })
      } else if (node.type === 'element') {
        walk(node.children, colorOf(node) ?? color)
      }
    }
  }
  walk(lowlight.highlight(file, code).children, undefined)
  return lines
}

function colorOf(element: Element): string | undefined {
  const classes = element.properties.className
  if (!Array.isArray(classes)) return undefined
  for (const name of classes) {
    if (typeof name !== 'string' || !name.startsWith('hljs-')) continue
    const key = name.slice(5)
    const color = COLORS[key] ?? COLORS[key.split('.')[0] ?? '']
    if (color !== undefined) return color
  }
  return undefined
}
