import type { Message } from '@t3chat/client'
import type { Role } from '../config/file'
import { editLast, forkHere, stepBranch, type BranchHost } from './branching'
import { copyCodeBlock } from './copy'
import { pickEdit } from './edit-picker'
import { searchMessages, type SearchHost } from './search'
import { rename, systemPrompt, useRole, type SettingsContext } from './settings'
import { SLASH_HELP, type SlashCommand } from './slash'
import { exportConversation, shareConversation, type TransferHost } from './transfer'
import { usageNotice } from './usage-notice'

/** What the slash commands need from the chat (the controller provides it). */
export interface CommandHost {
  readonly settings: SettingsContext
  readonly roles: Readonly<Record<string, Role>>
  branchHost(): BranchHost
  searchHost(): SearchHost
  transferHost(): TransferHost
  /** The messages of the active path on screen, ascending. */
  messages(): readonly Message[]
  newConversation(): void
  showList(): Promise<void>
  open(ref: string): Promise<void>
  chooseModel(query: string, purpose: 'model' | 'retry'): Promise<void>
  retry(model: string | null): Promise<void>
  askDelete(): void
  loadEarlier(): Promise<void>
  quit(): void
  writeTerminal(data: string): void
  notice(tone: 'info' | 'warn' | 'error', text: string): void
}

/** Runs one slash command. */
export async function runCommand(host: CommandHost, command: SlashCommand): Promise<void> {
  switch (command.name) {
    case 'new':
      return host.newConversation()
    case 'list':
      return await host.showList()
    case 'open':
      return await host.open(command.ref)
    case 'model':
      return await host.chooseModel(command.query, 'model')
    case 'system':
      return await systemPrompt(host.settings, command)
    case 'title':
      return await rename(host.settings, command.text)
    case 'retry':
      return command.model === null
        ? await host.retry(null)
        : await host.chooseModel(command.model, 'retry')
    case 'role':
      return await useRole(host.settings, host.roles, command.role)
    case 'copy':
      return copyCodeBlock(host.messages(), command.index, {
        write: (data) => host.writeTerminal(data),
        notice: (tone, text) => host.notice(tone, text),
      })
    case 'edit':
      return command.text === null
        ? pickEdit(host.branchHost(), host.settings.store)
        : await editLast(host.branchHost(), command.text)
    case 'branch':
      return await stepBranch(host.branchHost(), command.direction)
    case 'fork':
      return await forkHere(host.branchHost())
    case 'search':
      return await searchMessages(host.searchHost(), command.query)
    case 'share':
      return await shareConversation(host.transferHost(), command)
    case 'export':
      return await exportConversation(host.transferHost(), command)
    case 'delete':
      return host.askDelete()
    case 'more':
      return await host.loadEarlier()
    case 'usage':
      return host.notice('info', await usageNotice(host.settings.client))
    case 'help':
      return host.notice('info', SLASH_HELP.map(([u, what]) => `${u.padEnd(27)}${what}`).join('\n'))
    case 'quit':
      return host.quit()
  }
}
