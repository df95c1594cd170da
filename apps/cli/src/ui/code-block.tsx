import { Box, Text } from 'ink'
import { useEffect, useState } from 'react'
import { highlightLines, isLoaded, loadLanguage } from './highlight'

/**
 * A fenced code block: language label, a gutter bar, and the code coloured by a real
 * grammar of its language (highlight.js, loaded the first time a block needs it; unknown
 * languages stay plain).
 */
export function CodeBlock({ code, lang }: { code: string; lang: string }) {
  const [, setReady] = useState(() => isLoaded(lang))
  useEffect(() => {
    if (lang === '' || isLoaded(lang)) return
    let mounted = true
    void loadLanguage(lang).then((ok) => {
      if (ok && mounted) setReady(true)
    })
    return () => {
      mounted = false
    }
  }, [lang])
  const text = code.replace(/\n$/, '')
  const lines =
    highlightLines(text, lang) ?? text.split('\n').map((line) => [{ text: line, color: undefined }])
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
        {lines.map((segments, index) => (
          <Text key={index}>
            {segments.length === 0
              ? ' '
              : segments.map((segment, at) =>
                  segment.color === undefined ? (
                    segment.text
                  ) : (
                    <Text key={at} color={segment.color}>
                      {segment.text}
                    </Text>
                  ),
                )}
          </Text>
        ))}
      </Box>
    </Box>
  )
}
