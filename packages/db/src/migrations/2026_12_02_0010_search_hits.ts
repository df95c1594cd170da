import { sql, type Kysely } from 'kysely'

// Frozen in time: this file must never import application code or generated types.

/**
 * `search_message_hits`: the newest `p_window` of a user's messages matching a query, ranked,
 * in ONE call (one round trip) — the choice between walking the user's newest messages and
 * asking the word index is made inside, on facts:
 *
 * 1. A sample: the user's `p_window` newest messages (an index walk).
 * 2. Common (a fifth or more of the sample matches), or a user with fewer messages than the
 *    sample: the newest `p_probe` messages are walked, and their matches are the answer when
 *    they fill the window or were all the user's messages. Otherwise the word index adds the
 *    older matches, past the walked ones (no row twice).
 * 3. Rare (less than a fifth): the word index. Its candidates are sorted by time, and only
 *    the window's rows are ranked (ranking every candidate cost a third of the time of a
 *    query matching 12,000 messages).
 *
 * The walks are subqueries over the user's newest messages (a LIMIT on the (user_id,
 * created_at) index); the word-index queries compare `user_id` as text, so that no plan walks
 * the user's messages in time order instead. Each query is planned for its words (a generic
 * plan, not knowing them, walks the whole table in time order for two words that never meet:
 * 65 ms instead of 35 at 1.1M messages), with sequential scans and parallel workers off (the
 * function's SET clauses hold for its queries only). Parallel workers cost more than they
 * save here: two common words that never meet took 120–140 ms with two, 55–70 ms without.
 *
 * Row level security applies (SECURITY INVOKER): through Supabase's Data API the table shows
 * no rows; execution is revoked from PUBLIC anyway.
 */
const GIN_INDEXES = ['message_search_document_idx', 'conversations_title_search_idx']

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function search_message_hits(
      p_user uuid, p_query tsquery, p_window int, p_probe int)
    returns table (message_id uuid, created_at timestamptz, rank real)
    language plpgsql stable
    set enable_seqscan = off
    set max_parallel_workers_per_gather = 0
    set plan_cache_mode = force_custom_plan
    as $$
    declare
      sampled int;
      sample_hits int;
      walked int;
      boundary_at timestamptz;
      boundary_id uuid;
    begin
      select count(*), count(*) filter (where s.document @@ p_query)
        into sampled, sample_hits
        from (select d.document from message_search d where d.user_id = p_user
              order by d.created_at desc, d.message_id desc limit p_window) s;

      -- A user with fewer messages than the sample has them all walked here.
      if sampled < p_window or sample_hits * p_probe >= p_window * p_window then
        return query
          select s.message_id, s.created_at, ts_rank_cd(s.document, p_query, 1)
          from (select d.message_id, d.created_at, d.document from message_search d
                where d.user_id = p_user
                order by d.created_at desc, d.message_id desc limit p_probe) s
          where s.document @@ p_query
          order by s.created_at desc, s.message_id desc
          limit p_window;
        get diagnostics walked = row_count;
        if walked >= p_window then return; end if;
        select d.created_at, d.message_id into boundary_at, boundary_id
          from message_search d where d.user_id = p_user
          order by d.created_at desc, d.message_id desc offset p_probe - 1 limit 1;
        -- Fewer messages than the walk: every one was checked.
        if boundary_id is null then return; end if;
      else
        walked := 0;
      end if;

      return query
        select h.message_id, h.created_at, ts_rank_cd(h.document, p_query, 1)
        from (select s.message_id, s.created_at, s.document from message_search s
              where s.document @@ p_query and s.user_id::text = p_user::text
                and (boundary_id is null
                     or (s.created_at, s.message_id) < (boundary_at, boundary_id))
              order by s.created_at desc, s.message_id desc
              limit p_window - walked) h
        order by h.created_at desc, h.message_id desc;
    end
    $$`.execute(db)
  await sql`revoke all on function search_message_hits(uuid, tsquery, int, int) from public`.execute(
    db,
  )
  // New index entries wait in a GIN index's pending list until it is merged (by a vacuum, or
  // by the write that fills it), and every search reads the whole list: at the default 4 MB,
  // 20,000 pending titles cost each search 4.8 ms, 24,000 pending messages ~5 ms. 256 kB
  // bounds that to well under a millisecond; the merges get smaller and more frequent.
  for (const index of GIN_INDEXES)
    await sql`alter index ${sql.id(index)} set (gin_pending_list_limit = 256)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of GIN_INDEXES)
    await sql`alter index ${sql.id(index)} reset (gin_pending_list_limit)`.execute(db)
  await sql`drop function search_message_hits(uuid, tsquery, int, int)`.execute(db)
}
