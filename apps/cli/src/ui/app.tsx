import { Box, Static, Text, useApp, useInput, useStdout } from 'ink'
import { useEffect, useState, useSyncExternalStore } from 'react'
import type { ChatController } from '../chat/controller'
import { Chooser } from './chooser'
import { ConversationList } from './conversation-list'
import { EntryView } from './entry-view'
import { InputLine } from './input-line'
import { LiveAnswerView, Spinner } from './live-answer'
import { ModelPicker } from './model-picker'
import { StatusLine } from './status-line'

/** Props of {@link ChatApp}. */
export interface ChatAppProps {
  controller: ChatController
  /** Model shown when the conversation has none yet (the server's default, when known). */
  defaultModel: string | null
  /** The server cannot answer (no provider key). */
  answersOff?: boolean
  /** One line shown above the conversation list (e.g. how to turn answers on). */
  notice?: string | null
}

/** Terminal size, kept current on resize. */
function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout()
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 })
  const [size, setSize] = useState(read)
  useEffect(() => {
    const onResize = () => setSize(read())
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  })
  return size
}

/**
 * The interactive chat. Finished transcript entries go through `<Static>` (printed once,
 * never repainted); only the growing answer, the status line and the input re-render.
 */
export function ChatApp({
  controller,
  defaultModel,
  answersOff = false,
  notice = null,
}: ChatAppProps) {
  const state = useSyncExternalStore(controller.store.subscribe, controller.store.get)
  const { exit } = useApp()
  const { columns, rows } = useTerminalSize()
  const [history] = useState<string[]>([])

  useEffect(() => {
    // A start-up failure is shown, then the app ends (the command exits non-zero).
    if (state.exiting || state.fatal !== null) exit()
  }, [state.exiting, state.fatal, exit])

  useInput((input, key) => {
    if (key.ctrl && input === 'c') controller.interrupt()
  })

  const inputActive =
    state.screen === 'chat' &&
    state.picker === null &&
    state.chooser === null &&
    state.confirm === null &&
    !state.exiting
  // What the live region may use: the screen minus status line, input and margins (Ink
  // repaints the whole terminal once its output reaches the screen's height).
  const liveRows = rows - 12

  return (
    <>
      <Static key={state.epoch} items={state.entries}>
        {(entry) => <EntryView key={entry.id} entry={entry} />}
      </Static>
      {state.exiting ? null : state.fatal !== null ? (
        <Box marginTop={1}>
          <Text color="red">{`✗ ${state.fatal}`}</Text>
        </Box>
      ) : state.screen === 'connecting' ? (
        <Box marginTop={1}>
          <Text dimColor>
            <Spinner /> connecting…
          </Text>
        </Box>
      ) : state.screen === 'list' ? (
        <Box flexDirection="column">
          {notice !== null && <Text color="yellow">{`! ${notice}`}</Text>}
          <ConversationList
            list={state.list}
            onOpen={(id) => void controller.run({ name: 'open', ref: id })}
            onNew={() => controller.newConversation()}
            onLoadMore={() => void controller.conversations.loadMore().catch(() => undefined)}
            onBack={state.epoch > 0 ? () => controller.backToChat() : null}
            onQuit={() => controller.quit()}
            maxRows={rows - 6}
            columns={columns}
          />
        </Box>
      ) : (
        <Box flexDirection="column">
          {state.live && <LiveAnswerView live={state.live} maxRows={liveRows} columns={columns} />}
          {state.picker && state.picker.models && (
            <ModelPicker
              models={state.picker.models}
              initialQuery={state.picker.query}
              current={state.conversation?.currentModel ?? state.model}
              onPick={(id) => void controller.pick(id)}
              maxRows={Math.min(12, rows - 10)}
              columns={columns}
            />
          )}
          {state.chooser && (
            <Chooser
              chooser={state.chooser}
              onChoose={(index) => void controller.choose(index)}
              maxRows={Math.min(16, rows - 10)}
              columns={columns}
            />
          )}
          {state.confirm && (
            <ConfirmPrompt
              question={state.confirm.question}
              onAnswer={(yes) => void controller.confirm(yes)}
            />
          )}
          <StatusLine
            state={state}
            defaultModel={defaultModel}
            columns={columns}
            answersOff={answersOff}
          />
          <InputLine
            active={inputActive}
            history={history}
            placeholder={
              state.editing
                ? 'The new text of your message… (Esc cancels)'
                : state.conversation
                  ? 'Reply… (/help for commands)'
                  : 'Ask anything… (/help for commands)'
            }
            draft={state.draft}
            onSideArrow={(direction) => void controller.sideArrow(direction)}
            onEscape={() => controller.cancelEdit()}
            onSubmit={(text) => {
              history.push(text)
              void controller.submit(text)
            }}
            onEof={() => controller.quit()}
            onPageUp={() => void controller.run({ name: 'more' })}
            maxRows={state.live ? 3 : Math.max(3, Math.floor(rows / 3))}
          />
        </Box>
      )}
    </>
  )
}

function ConfirmPrompt({
  question,
  onAnswer,
}: {
  question: string
  onAnswer: (yes: boolean) => void
}) {
  useInput((input, key) => {
    if (input.toLowerCase() === 'y') onAnswer(true)
    else if (input.toLowerCase() === 'n' || key.return || key.escape) onAnswer(false)
  })
  return (
    <Box marginTop={1}>
      <Text color="yellow">{question}</Text>
    </Box>
  )
}
