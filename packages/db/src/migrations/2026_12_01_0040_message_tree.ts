import { sql, type Kysely } from 'kysely'

// Frozen in time: this file must never import application code or generated types.

/**
 * Conversations become trees. `messages.parent_id` is the message before it on its branch (in
 * the same conversation: a composite foreign key); `conversations.leaf_message_id` is the end
 * of the active path. `messages.hidden` now means "off the active path": the active path is
 * stored as the visible rows, so a page of it is the same indexed range scan as before.
 *
 * Today's data converts without loss: an answer's parent is the user message it answered (so
 * answers hidden by a regenerate become siblings of the answer that replaced them); a user
 * message's parent is the visible message before it; the leaf is the last visible message.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table messages add column parent_id uuid`.execute(db)
  await sql`alter table conversations add column leaf_message_id uuid`.execute(db)

  // Running counts number the user messages and the visible messages of each conversation;
  // a message's parent is found by the number of the one before it.
  await sql`
    with numbered as (
      select id, conversation_id, role, hidden,
             count(*) filter (where role = 'user') over w as users_so_far,
             count(*) filter (where not hidden) over w as visible_so_far
      from messages
      window w as (partition by conversation_id order by seq)
    ),
    parents as (
      select m.id, p.id as parent_id
      from numbered m
      join numbered p on p.conversation_id = m.conversation_id
        and p.role = 'user' and p.users_so_far = m.users_so_far
      where m.role = 'assistant'
      union all
      select m.id, p.id
      from numbered m
      join numbered p on p.conversation_id = m.conversation_id
        and not p.hidden
        and p.visible_so_far = m.visible_so_far - (case when m.hidden then 0 else 1 end)
      where m.role = 'user'
    )
    update messages set parent_id = parents.parent_id
    from parents where messages.id = parents.id`.execute(db)

  await sql`
    update conversations c set leaf_message_id = (
      select m.id from messages m
      where m.conversation_id = c.id and not m.hidden
      order by m.seq desc limit 1)`.execute(db)

  await sql`
    alter table messages
      add constraint messages_conversation_id_id_key unique (conversation_id, id)`.execute(db)
  await sql`
    alter table messages
      add constraint messages_parent_fkey foreign key (conversation_id, parent_id)
      references messages (conversation_id, id) on delete cascade`.execute(db)
  await sql`
    alter table conversations
      add constraint conversations_leaf_message_fkey foreign key (id, leaf_message_id)
      references messages (conversation_id, id)`.execute(db)
  await sql`
    alter table messages
      add constraint messages_parent_check check (parent_id <> id)`.execute(db)
  // A message's siblings (same parent) in creation order: branch index/count, and the walk
  // down to the newest leaf when the active path moves. Roots are the rows with a null parent.
  await sql`
    create index messages_parent_idx on messages (conversation_id, parent_id, seq)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index messages_parent_idx`.execute(db)
  await sql`alter table conversations drop constraint conversations_leaf_message_fkey`.execute(db)
  await sql`alter table messages drop constraint messages_parent_fkey`.execute(db)
  await sql`alter table messages drop constraint messages_parent_check`.execute(db)
  await sql`alter table messages drop constraint messages_conversation_id_id_key`.execute(db)
  await sql`alter table conversations drop column leaf_message_id`.execute(db)
  await sql`alter table messages drop column parent_id`.execute(db)
}
