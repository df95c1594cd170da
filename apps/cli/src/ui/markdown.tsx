import { Box, Text } from 'ink'
import type { Token, Tokens } from 'marked'
import type { ReactNode } from 'react'
import { lexMarkdown } from '../format/lex'
import { CodeBlock } from './code-block'
import { MarkdownTable } from './markdown-table'

/**
 * Terminal markdown as Ink elements: headings, paragraphs with emphasis/code/links, nested
 * and task lists, fenced code, quotes, rules and tables. Layout (wrapping, indentation of
 * list and quote bodies) is left to Ink's flexbox, so it follows the terminal width.
 */
export function Markdown({ source, tokens }: { source?: string; tokens?: Token[] }) {
  const blocks = tokens ?? lexMarkdown(source ?? '')
  return <Blocks tokens={blocks} />
}

function Blocks({ tokens, tight = false }: { tokens: Token[]; tight?: boolean }) {
  const visible = tokens.filter((token) => token.type !== 'space' && token.type !== 'def')
  return (
    <Box flexDirection="column">
      {visible.map((token, index) => (
        <Box key={index} marginTop={index > 0 && !tight ? 1 : 0} flexDirection="column">
          <Block token={token} />
        </Box>
      ))}
    </Box>
  )
}

function Block({ token }: { token: Token }): ReactNode {
  switch (token.type) {
    case 'heading': {
      const heading = token as Tokens.Heading
      return (
        <Text bold underline={heading.depth === 1} color={heading.depth <= 2 ? 'cyan' : undefined}>
          <Inline tokens={heading.tokens} />
        </Text>
      )
    }
    case 'paragraph':
      return (
        <Text>
          <Inline tokens={(token as Tokens.Paragraph).tokens} />
        </Text>
      )
    case 'text': {
      const text = token as Tokens.Text
      return (
        <Text>{text.tokens ? <Inline tokens={text.tokens} /> : decodeEntities(text.text)}</Text>
      )
    }
    case 'code': {
      const code = token as Tokens.Code
      return <CodeBlock code={code.text} lang={code.lang ?? ''} />
    }
    case 'blockquote':
      return (
        <Box
          borderStyle="single"
          borderTop={false}
          borderRight={false}
          borderBottom={false}
          borderColor="gray"
          paddingLeft={1}
        >
          <Blocks tokens={(token as Tokens.Blockquote).tokens} />
        </Box>
      )
    case 'list':
      return <List list={token as Tokens.List} />
    case 'hr':
      return <Text dimColor>{'─'.repeat(40)}</Text>
    case 'table':
      return (
        <MarkdownTable table={token as Tokens.Table} render={(cell) => <Inline tokens={cell} />} />
      )
    case 'html':
      return <Text dimColor>{token.raw.trimEnd()}</Text>
    default:
      return <Text>{token.raw.trimEnd()}</Text>
  }
}

function List({ list }: { list: Tokens.List }) {
  const start = typeof list.start === 'number' ? list.start : 1
  const markers = list.items.map((item, index) => {
    if (item.task) return item.checked === true ? '☑' : '☐'
    return list.ordered ? `${start + index}.` : '•'
  })
  const width = Math.max(...markers.map((marker) => marker.length))
  return (
    <Box flexDirection="column">
      {list.items.map((item, index) => (
        <Box key={index} flexDirection="row" marginTop={index > 0 && list.loose ? 1 : 0}>
          <Box width={width + 1} flexShrink={0}>
            <Text color={list.ordered ? undefined : 'gray'}>{markers[index]}</Text>
          </Box>
          <Box flexDirection="column" flexGrow={1}>
            <Blocks tokens={item.tokens} tight={!item.loose} />
          </Box>
        </Box>
      ))}
    </Box>
  )
}

/** Inline tokens as nested `<Text>` (they must sit inside a `<Text>`). */
export function Inline({ tokens }: { tokens: Token[] }): ReactNode {
  return tokens.map((token, index) => <InlineToken key={index} token={token} />)
}

function InlineToken({ token }: { token: Token }): ReactNode {
  switch (token.type) {
    case 'text': {
      const text = token as Tokens.Text
      return text.tokens ? <Inline tokens={text.tokens} /> : decodeEntities(text.text)
    }
    case 'escape':
      return (token as Tokens.Escape).text
    case 'strong':
      return (
        <Text bold>
          <Inline tokens={(token as Tokens.Strong).tokens} />
        </Text>
      )
    case 'em':
      return (
        <Text italic>
          <Inline tokens={(token as Tokens.Em).tokens} />
        </Text>
      )
    case 'del':
      return (
        <Text strikethrough>
          <Inline tokens={(token as Tokens.Del).tokens} />
        </Text>
      )
    case 'codespan':
      return <Text color="yellow">{decodeEntities((token as Tokens.Codespan).text)}</Text>
    case 'br':
      return '\n'
    case 'link': {
      const link = token as Tokens.Link
      const label = <Inline tokens={link.tokens} />
      const bare = link.text === link.href || `mailto:${link.text}` === link.href
      return (
        <Text>
          <Text color="blue" underline>
            {label}
          </Text>
          {bare ? '' : <Text dimColor>{` (${link.href})`}</Text>}
        </Text>
      )
    }
    case 'image': {
      const image = token as Tokens.Image
      return <Text dimColor>{`[image: ${image.text || image.href}]`}</Text>
    }
    default:
      return token.raw
  }
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
}

function decodeEntities(text: string): string {
  return text.replace(/&(#?\w+);/g, (match, name: string) => {
    const known = ENTITIES[name]
    if (known !== undefined) return known
    const code = /^#\d+$/.test(name)
      ? Number(name.slice(1))
      : /^#x[\da-f]+$/i.test(name)
        ? parseInt(name.slice(2), 16)
        : NaN
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff
      ? String.fromCodePoint(code)
      : match
  })
}
