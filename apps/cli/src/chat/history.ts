import type { ChatClient, Message } from '@t3chat/client'

/**
 * The newest page of a conversation's active path; with `downTo`, earlier pages too until the
 * message with that `seq` is loaded (a search match further back).
 */
export async function loadPath(
  client: ChatClient,
  conversationId: string,
  pageSize: number,
  downTo: number | null,
): Promise<{ items: Message[]; nextBefore: number | null }> {
  const list = (before?: number) =>
    client.message.list.query({
      conversationId,
      limit: pageSize,
      ...(before !== undefined ? { before } : {}),
    })
  const newest = await list()
  let items = newest.items
  let nextBefore = newest.nextBefore
  while (downTo !== null && nextBefore !== null && (items[0]?.seq ?? 0) > downTo) {
    const older = await list(nextBefore)
    items = [...older.items, ...items]
    nextBefore = older.nextBefore
  }
  return { items, nextBefore }
}
