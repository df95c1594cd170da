import { sql, type Kysely } from 'kysely'

/**
 * Full-text search inside Postgres (no other search server).
 *
 * Words are folded with the `unaccent` extension (Postgres contrib; PGlite and Supabase ship it
 * too) under the `simple` configuration: no stemming and no stop words, so a word of any
 * language is found as typed, case- and accent-insensitively. `unaccent()` is only STABLE (its
 * dictionary could change), so indexes go through an IMMUTABLE wrapper that names the
 * dictionary; the SQL-standard body binds both when it is created, whatever the search_path.
 *
 * Messages: `message_search` holds one document per message, written by triggers on
 * `messages` in the same statement as the insert or the content change (a send, a checkpoint
 * of a live answer, the end of an answer), so the index is never behind the text. It is a
 * table of its own, not a column of `messages`, so the vectors stay out of every `select *`
 * on the hot paths (history pages, sends). It carries the owner and the time so a search can
 * walk one user's newest matches without touching other users' rows.
 *
 * Titles: an expression index (titles are short, so recomputing the vector of a candidate is
 * cheap).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists unaccent`.execute(db)
  await sql`
    create function search_fold(text) returns text
      language sql immutable strict parallel safe
      return unaccent('unaccent'::regdictionary, $1)`.execute(db)
  await sql`
    create function search_document(text) returns tsvector
      language sql immutable strict parallel safe
      return to_tsvector('simple'::regconfig, search_fold($1))`.execute(db)

  await db.schema
    .createTable('message_search')
    .addColumn('message_id', 'uuid', (c) =>
      c.primaryKey().references('messages.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('document', sql`tsvector`, (c) => c.notNull())
    .execute()
  await sql`create index message_search_document_idx on message_search using gin (document)`.execute(
    db,
  )
  // A common word matches too many messages to rank them all: a search ranks the user's newest
  // matches, found by walking this index (see repositories/search.ts).
  await sql`create index message_search_user_recent_idx
            on message_search (user_id, created_at desc, message_id desc)`.execute(db)
  await sql`alter table message_search enable row level security`.execute(db)

  // AFTER triggers see the whole statement's rows, so a send that creates its conversation in
  // the same statement (a CTE) finds the owner.
  await sql`
    create function message_search_insert() returns trigger language plpgsql as $$
    begin
      insert into message_search (message_id, user_id, created_at, document)
      select new.id, c.user_id, new.created_at, search_document(new.content)
      from conversations c where c.id = new.conversation_id;
      return null;
    end
    $$`.execute(db)
  await sql`
    create trigger message_search_insert after insert on messages
    for each row execute function message_search_insert()`.execute(db)
  await sql`
    create function message_search_update() returns trigger language plpgsql as $$
    begin
      update message_search set document = search_document(new.content)
      where message_id = new.id;
      return null;
    end
    $$`.execute(db)
  await sql`
    create trigger message_search_update after update of content on messages
    for each row when (old.content is distinct from new.content)
    execute function message_search_update()`.execute(db)

  await sql`
    insert into message_search (message_id, user_id, created_at, document)
    select m.id, c.user_id, m.created_at, search_document(m.content)
    from messages m join conversations c on c.id = m.conversation_id`.execute(db)

  await sql`
    create index conversations_title_search_idx on conversations
    using gin (search_document(coalesce(title, '')))`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index conversations_title_search_idx`.execute(db)
  await sql`drop trigger message_search_update on messages`.execute(db)
  await sql`drop trigger message_search_insert on messages`.execute(db)
  await sql`drop function message_search_update()`.execute(db)
  await sql`drop function message_search_insert()`.execute(db)
  await db.schema.dropTable('message_search').execute()
  await sql`drop function search_document(text)`.execute(db)
  await sql`drop function search_fold(text)`.execute(db)
  await sql`drop extension if exists unaccent`.execute(db)
}
