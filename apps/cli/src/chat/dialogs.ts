import type { ChatClient, Model } from '@t3chat/client'
import { hasBranches, stepBranch, type BranchHost } from './branching'
import type { Conversations } from './conversations'
import { startEditing } from './edit-picker'
import { openHit, type SearchHost } from './search'
import { exactModel, setModel, type SettingsContext } from './settings'
import type { ChatState } from './state'
import type { Store } from './store'

/** What the chat's pickers and questions need from the controller. */
export interface DialogHost {
  readonly client: ChatClient
  readonly store: Store<ChatState>
  readonly settings: SettingsContext
  readonly conversations: Conversations
  /** The model list, fetched once per session. */
  readonly modelCache: { models: Model[] | null }
  branchHost(): BranchHost
  searchHost(): SearchHost
  retry(model: string | null): Promise<void>
  newConversation(): void
  notice(tone: 'info' | 'warn' | 'error', text: string): void
  fail(error: unknown, prefix?: string): void
}

/** `/model` and `/retry <model>`: an exact id acts at once, anything else opens the picker. */
export async function chooseModel(
  host: DialogHost,
  query: string,
  purpose: 'model' | 'retry',
): Promise<void> {
  const models = (host.modelCache.models ??= (await host.client.model.list.query()).models)
  const exact = exactModel(models, query)
  if (exact === null) return host.store.set({ picker: { query, models, purpose } })
  return purpose === 'model' ? setModel(host.settings, exact) : host.retry(exact)
}

/** The model picker's choice (null: cancelled). */
export async function pickModel(host: DialogHost, modelId: string | null): Promise<void> {
  const picker = host.store.get().picker
  host.store.set({ picker: null })
  if (!picker || modelId === null) return
  try {
    if (picker.purpose === 'model') await setModel(host.settings, modelId)
    else await host.retry(modelId)
  } catch (error) {
    host.fail(error)
  }
}

/** `/delete`: asks first. */
export function askDelete(host: DialogHost): void {
  const conversation = host.store.get().conversation
  if (!conversation) return host.notice('warn', 'There is no conversation to delete yet.')
  const title = conversation.title ?? 'Untitled'
  host.store.set({
    confirm: { question: `Delete “${title}” and all its messages? (y/N)`, action: 'delete' },
  })
}

/** Answers the pending yes/no question (deleting the conversation). */
export async function confirmDelete(host: DialogHost, yes: boolean): Promise<void> {
  const { confirm, conversation } = host.store.get()
  host.store.set({ confirm: null })
  if (!confirm || !yes || !conversation) return
  try {
    await host.client.conversation.delete.mutate({ id: conversation.id })
    host.conversations.remove(conversation.id)
    host.newConversation()
    host.notice('info', `Deleted “${conversation.title ?? 'Untitled'}”.`)
  } catch (error) {
    host.fail(error, 'Could not delete')
  }
}

/** The pick of a search result or of a message to edit (null: cancelled). */
export async function choose(host: DialogHost, index: number | null): Promise<void> {
  const chooser = host.store.get().chooser
  host.store.set({ chooser: null })
  if (chooser === null || index === null) return
  try {
    if (chooser.kind === 'edit') {
      const message = chooser.messages[index]
      if (message) startEditing(host.store, message, (tone, text) => host.notice(tone, text))
    } else {
      const hit = chooser.hits[index]
      if (hit) await openHit(host.searchHost(), hit, chooser.query)
    }
  } catch (error) {
    host.fail(error)
  }
}

/** Esc in the input line: stops editing a message (`/edit` without text). */
export function cancelEdit(host: DialogHost): void {
  if (host.store.get().editing === null) return
  host.store.set({ editing: null, draft: { text: '', key: Date.now() } })
  host.notice('info', 'Edit cancelled.')
}

/** ←/→ on an empty input line: the neighbouring branch, when this path has one. */
export async function sideArrow(host: DialogHost, direction: 'prev' | 'next'): Promise<void> {
  const state = host.store.get()
  if (state.live || state.busy !== null || !hasBranches(host.branchHost())) return
  await stepBranch(host.branchHost(), direction).catch((error: unknown) => host.fail(error))
}
