import type { ChatClient, Model } from '@t3chat/client'
import type { Role } from '../config/file'
import type { SlashCommand } from './slash'
import type { ChatState } from './state'
import type { Store } from './store'

/** What the conversation settings commands need from the controller. */
export interface SettingsContext {
  client: ChatClient
  store: Store<ChatState>
  notice: (tone: 'info' | 'warn', text: string) => void
}

/** `/model <id>`: the open conversation's model, or the model a new one starts with. */
export async function setModel(ctx: SettingsContext, model: string): Promise<void> {
  const conversation = ctx.store.get().conversation
  if (conversation) {
    const updated = await ctx.client.conversation.update.mutate({ id: conversation.id, model })
    ctx.store.set({ conversation: updated })
  }
  // Remembered for the next /new too.
  ctx.store.set({ model })
  ctx.notice('info', `Model: ${model}`)
}

/** `/system [text|clear]`: shows, sets or clears the system prompt. */
export async function systemPrompt(
  ctx: SettingsContext,
  command: Extract<SlashCommand, { name: 'system' }>,
): Promise<void> {
  const state = ctx.store.get()
  const conversation = state.conversation
  if (command.action === 'show') {
    const current = conversation ? conversation.systemPrompt : state.pendingSystem
    return ctx.notice(
      'info',
      current ? `System prompt:\n${current}` : 'No system prompt. Set one with /system <text>.',
    )
  }
  const text = command.action === 'set' ? command.text : null
  if (conversation) {
    const updated = await ctx.client.conversation.update.mutate({
      id: conversation.id,
      systemPrompt: text,
    })
    ctx.store.set({ conversation: updated })
  } else {
    // Sent with the first message, which creates the conversation.
    ctx.store.set({ pendingSystem: text })
  }
  ctx.notice('info', text === null ? 'System prompt cleared.' : 'System prompt set.')
}

/** `/title <text>`. */
export async function rename(ctx: SettingsContext, title: string): Promise<void> {
  const conversation = ctx.store.get().conversation
  if (!conversation) {
    return ctx.notice('warn', 'Send a message first; then the conversation can get a title.')
  }
  const updated = await ctx.client.conversation.update.mutate({ id: conversation.id, title })
  ctx.store.set({ conversation: updated })
  ctx.notice('info', `Renamed to “${updated.title ?? title}”.`)
}

/** The model a query names exactly (OpenRouter variants such as `:nitro`, fake params included). */
export function exactModel(models: readonly Model[], query: string): string | null {
  const q = query.trim()
  if (q === '') return null
  if (models.some((model) => model.id === q)) return q
  const colon = q.indexOf(':')
  if (colon > 0 && models.some((model) => model.id === q.slice(0, colon))) return q
  return null
}

/** `/role [name]`: uses a role of the config file (its system prompt and model), or lists them. */
export async function useRole(
  ctx: SettingsContext,
  roles: Readonly<Record<string, Role>>,
  name: string | null,
): Promise<void> {
  const names = Object.keys(roles)
  const role = name === null ? undefined : roles[name]
  if (role === undefined) {
    const known =
      names.length > 0
        ? `Roles: ${names.join(', ')}`
        : 'No roles yet: add "roles" to the config file (see t3chat --help).'
    return ctx.notice(
      name === null ? 'info' : 'warn',
      name === null ? known : `Unknown role "${name}". ${known}`,
    )
  }
  await systemPrompt(ctx, { name: 'system', action: 'set', text: role.system })
  if (role.model !== undefined) await setModel(ctx, role.model)
  ctx.notice('info', `Role: ${name ?? ''}`)
}
