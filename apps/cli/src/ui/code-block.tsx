import { Box, Text } from 'ink'
import type { ReactNode } from 'react'

const KEYWORDS = new Set(
  (
    'abstract and as async await break case catch class const continue def default defer del do elif else ' +
    'enum export extends false fn for from func function go if impl import in interface let loop match mod ' +
    'mut new nil none not null or package pass private protected pub public raise return self static struct ' +
    'super switch this throw true try type typeof undefined use var void while with yield'
  ).split(' '),
)

// Comments, strings, numbers and words, in that order of precedence.
const TOKEN =
  /(\/\/.*|#(?![!\w[{]).*|--\s.*)|("(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`(?:[^`\\]|\\.)*`?)|(\b\d[\d_]*(?:\.\d+)?\b)|([A-Za-z_$][\w$]*)/g

/** Light syntax colouring that works for most languages: comments, strings, numbers, keywords. */
function highlight(line: string): ReactNode[] {
  const parts: ReactNode[] = []
  let last = 0
  for (const match of line.matchAll(TOKEN)) {
    const index = match.index
    if (index > last) parts.push(line.slice(last, index))
    const [text, comment, string, number, word] = match
    if (comment !== undefined)
      parts.push(
        <Text key={index} color="gray">
          {comment}
        </Text>,
      )
    else if (string !== undefined)
      parts.push(
        <Text key={index} color="green">
          {string}
        </Text>,
      )
    else if (number !== undefined)
      parts.push(
        <Text key={index} color="yellow">
          {number}
        </Text>,
      )
    else if (word !== undefined && KEYWORDS.has(word))
      parts.push(
        <Text key={index} color="magenta">
          {word}
        </Text>,
      )
    else parts.push(text)
    last = index + text.length
  }
  if (last < line.length) parts.push(line.slice(last))
  return parts
}

/** A fenced code block: language label, a gutter bar, lightly coloured lines. */
export function CodeBlock({ code, lang }: { code: string; lang: string }) {
  const lines = code.replace(/\n$/, '').split('\n')
  return (
    <Box flexDirection="column">
      {lang !== '' && <Text dimColor>{lang}</Text>}
      <Box
        flexDirection="column"
        borderStyle="single"
        borderTop={false}
        borderRight={false}
        borderBottom={false}
        borderColor="gray"
        paddingLeft={1}
      >
        {lines.map((line, index) => (
          <Text key={index}>{line === '' ? ' ' : highlight(line)}</Text>
        ))}
      </Box>
    </Box>
  )
}
