/** How much of the active path's last user message a conversation shows as its preview. */
export const PREVIEW_LENGTH = 160
