//! Which articles mention an entity: lists of `(article, mentions)` pairs, kept in chunks of a
//! few hundred pairs per row (`entity_postings`) rather than a row per pair. A large import
//! wrote some 800,000 link rows and as many index entries, 40 % of the writer's time; an open
//! bulk now gathers its pairs per entity ([`Pending`]) and writes one row per entity when it
//! commits. A chunk is stored as text, `[article,mentions,article,mentions,…]`, so that SQL
//! (the migration that made them) can write it and a person can read it.

use crate::entities::gazetteer::FastMap;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};

/// New pairs join an entity's last chunk while they fit in this many. (Migration 9 split
/// the links it converted at 256 too; a chunk of any size reads the same.)
pub(super) const CHUNK: i64 = 256;

/// One article that mentions an entity, and how often.
pub(super) type Pair = (i64, i64);

/// Appends `pairs` as `[a,m,a,m,…]`.
fn encode(pairs: &[Pair], out: &mut String) {
    // itoa rather than `write!`: formatting numbers (here and in link rows) was 0.5 % of a
    // 50,000-item fetch's samples, on the writer; 0.07 % with itoa.
    let mut digits = itoa::Buffer::new();
    out.push('[');
    for (i, (article, mentions)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(digits.format(*article));
        out.push(',');
        out.push_str(digits.format(*mentions));
    }
    out.push(']');
}

/// The pairs of a chunk's text. A malformed chunk (written by hand, say) gives the pairs
/// before the fault rather than an error: the lists are an index, rebuilt by `reindex`.
fn decode(text: &str, out: &mut Vec<Pair>) {
    let inner = text.trim().trim_start_matches('[').trim_end_matches(']');
    // Empty pieces are skipped: pairs added to an empty chunk's `[]` give `[,a,m]`.
    let mut numbers = inner
        .split(',')
        .filter(|n| !n.trim().is_empty())
        .map(|n| n.trim().parse::<i64>());
    while let (Some(Ok(article)), Some(Ok(mentions))) = (numbers.next(), numbers.next()) {
        out.push((article, mentions));
    }
}

/// Every article that mentions the entity, in no particular order.
pub(super) fn of(conn: &Connection, entity: i64) -> Result<Vec<Pair>> {
    let mut stmt =
        conn.prepare_cached("SELECT postings FROM entity_postings WHERE entity_id = ?1")?;
    let mut rows = stmt.query([entity])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        // Text, unless written by hand as something else: then no pairs.
        if let Ok(text) = row.get_ref(0)?.as_str() {
            decode(text, &mut out);
        }
    }
    Ok(out)
}

/// Where each entity's pairs went last: `(chunk, pairs in it)`, so that adding to an
/// entity's lists is one write and no read. It may be stale (after a rollback, a removal,
/// or another process's writes): the write then still lands in a chunk of that entity, which
/// is all that matters, since a list is read whole.
#[derive(Default)]
pub(crate) struct LastChunks(FastMap<i64, (i64, i64)>);

impl LastChunks {
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }

    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
}

/// Adds pairs to the entity's lists: to its last chunk while they fit in [`CHUNK`], else
/// as a new chunk (which holds more than [`CHUNK`] when one bulk brings more).
pub(super) fn append(
    conn: &Connection,
    entity: i64,
    pairs: &[Pair],
    last: &mut LastChunks,
) -> Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    let n = pairs.len() as i64;
    let (chunk, count) = match last.0.get(&entity) {
        Some(&known) => known,
        None => conn
            .prepare_cached(
                "SELECT chunk, count FROM entity_postings WHERE entity_id = ?1
                 ORDER BY chunk DESC LIMIT 1",
            )?
            .query_row([entity], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            // None yet: the first chunk is 0.
            .unwrap_or((-1, CHUNK)),
    };
    let (chunk, count) = if count + n <= CHUNK {
        (chunk, count + n)
    } else {
        (chunk + 1, n)
    };
    let mut text = String::with_capacity(pairs.len() * 10 + 2);
    encode(pairs, &mut text);
    let (lo, hi) = range(pairs);
    // Into the chunk if it is there (its `]` and the new `[` give way to a comma).
    conn.prepare_cached(
        "INSERT INTO entity_postings(entity_id, chunk, count, lo, hi, postings)
         VALUES(?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(entity_id, chunk) DO UPDATE SET count = count + excluded.count,
             lo = min(lo, excluded.lo), hi = max(hi, excluded.hi),
             postings = substr(postings, 1, length(postings) - 1) || ',' ||
                 substr(excluded.postings, 2)",
    )?
    .execute(params![entity, chunk, n, lo, hi, text])?;
    last.0.insert(entity, (chunk, count));
    Ok(())
}

/// The range of a chunk whose articles are not known (its text was written by hand): it
/// holds every article, so the chunk is always looked in.
pub(super) const UNKNOWN_RANGE: (i64, i64) = (i64::MIN, i64::MAX);

/// The lowest and highest article of some pairs ([`UNKNOWN_RANGE`] for none).
fn range(pairs: &[Pair]) -> (i64, i64) {
    let articles = pairs.iter().map(|&(a, _)| a);
    match (articles.clone().min(), articles.max()) {
        (Some(lo), Some(hi)) => (lo, hi),
        _ => UNKNOWN_RANGE,
    }
}

/// Takes an article out of the entity's lists (its chunk is rewritten, or dropped when it
/// holds nothing else). Only the chunks whose range of articles holds it are read. Chunks
/// fill in article order, so that is one, unless articles updated later (and so added to
/// the last chunk again) have stretched the last chunk's range back over older ones.
pub(super) fn remove(conn: &Connection, entity: i64, article: i64) -> Result<()> {
    let mut chunks: Vec<(i64, String)> = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT chunk, postings FROM entity_postings
             WHERE entity_id = ?1 AND ?2 BETWEEN lo AND hi",
        )?;
        let mut rows = stmt.query(params![entity, article])?;
        while let Some(row) = rows.next()? {
            // Text, unless written by hand as something else: then no pairs, as in [`of`].
            if let Ok(text) = row.get_ref(1)?.as_str() {
                chunks.push((row.get(0)?, text.to_string()));
            }
        }
    }
    let mut pairs = Vec::new();
    for (chunk, text) in chunks {
        pairs.clear();
        decode(&text, &mut pairs);
        let before = pairs.len();
        pairs.retain(|&(a, _)| a != article);
        if pairs.len() == before {
            continue;
        }
        if pairs.is_empty() {
            conn.prepare_cached("DELETE FROM entity_postings WHERE entity_id = ?1 AND chunk = ?2")?
                .execute(params![entity, chunk])?;
        } else {
            let mut text = String::new();
            encode(&pairs, &mut text);
            let (lo, hi) = range(&pairs);
            conn.prepare_cached(
                "UPDATE entity_postings SET count = ?3, lo = ?4, hi = ?5, postings = ?6
                 WHERE entity_id = ?1 AND chunk = ?2",
            )?
            .execute(params![entity, chunk, pairs.len() as i64, lo, hi, text])?;
        }
    }
    Ok(())
}

/// The pairs an open bulk has gathered, per entity, written when it commits.
#[derive(Default)]
pub(crate) struct Pending(FastMap<i64, Vec<Pair>>);

impl Pending {
    pub(super) fn add(&mut self, entity: i64, article: i64, mentions: i64) {
        self.0.entry(entity).or_default().push((article, mentions));
    }

    /// Takes back what the bulk gathered for an article it is writing again.
    pub(super) fn remove(&mut self, entity: i64, article: i64) {
        if let Some(pairs) = self.0.get_mut(&entity) {
            pairs.retain(|&(a, _)| a != article);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// Appends every entity's pairs, in entity order (neighbouring rows, neighbouring pages).
    pub(super) fn write(&mut self, conn: &Connection, last: &mut LastChunks) -> Result<()> {
        let mut all: Vec<(i64, Vec<Pair>)> = self.0.drain().collect();
        all.sort_unstable_by_key(|(entity, _)| *entity);
        for (entity, pairs) in all {
            append(conn, entity, &pairs, last)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE entity_postings (entity_id INTEGER NOT NULL, chunk INTEGER NOT NULL,
             count INTEGER NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL,
             postings TEXT NOT NULL,
             PRIMARY KEY(entity_id, chunk)) WITHOUT ROWID;",
        )
        .unwrap();
        conn
    }

    fn sorted(mut v: Vec<Pair>) -> Vec<Pair> {
        v.sort_unstable();
        v
    }

    /// Two columns of each of the entity's chunks, in chunk order.
    fn per_chunk(conn: &Connection, entity: i64, columns: &str) -> Vec<(i64, i64)> {
        conn.prepare(&format!(
            "SELECT {columns} FROM entity_postings WHERE entity_id = ?1 ORDER BY chunk"
        ))
        .unwrap()
        .query_map([entity], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    fn chunks(conn: &Connection, entity: i64) -> Vec<(i64, i64)> {
        per_chunk(conn, entity, "chunk, count")
    }

    #[test]
    fn text_round_trips_and_a_fault_keeps_what_came_before() {
        let mut text = String::new();
        encode(&[(1, 2), (30, 1), (-4, 7)], &mut text);
        assert_eq!(text, "[1,2,30,1,-4,7]");
        let mut out = Vec::new();
        decode(&text, &mut out);
        assert_eq!(out, [(1, 2), (30, 1), (-4, 7)]);
        let mut out = Vec::new();
        decode("[1,2,x,1,5,5]", &mut out);
        assert_eq!(out, [(1, 2)]);
        let mut out = Vec::new();
        decode("[]", &mut out);
        assert!(out.is_empty());
        decode("[,5,1]", &mut out);
        assert_eq!(out, [(5, 1)]);
    }

    #[test]
    fn pairs_fill_the_last_chunk_then_start_another() {
        let conn = table();
        let mut last = LastChunks::default();
        let first: Vec<Pair> = (1..CHUNK).map(|a| (a, 1)).collect();
        append(&conn, 7, &first, &mut last).unwrap();
        append(&conn, 7, &[(1000, 2)], &mut last).unwrap();
        assert_eq!(chunks(&conn, 7), [(0, CHUNK)], "the pair fits");
        append(&conn, 7, &[(2000, 1), (2001, 1)], &mut last).unwrap();
        assert_eq!(chunks(&conn, 7), [(0, CHUNK), (1, 2)], "full: a new chunk");
        // Without the memo (another process, a new run) the last chunk is looked up.
        append(&conn, 7, &[(3000, 1)], &mut LastChunks::default()).unwrap();
        assert_eq!(chunks(&conn, 7), [(0, CHUNK), (1, 3)]);
        // A bulk's pairs stay together, past the size.
        let many: Vec<Pair> = (5000..5000 + CHUNK + 10).map(|a| (a, 1)).collect();
        append(&conn, 7, &many, &mut last).unwrap();
        assert_eq!(chunks(&conn, 7), [(0, CHUNK), (1, 3), (2, CHUNK + 10)]);
        append(&conn, 8, &[(5, 5)], &mut last).unwrap();
        let mut want = first.clone();
        want.extend([(1000, 2), (2000, 1), (2001, 1), (3000, 1)]);
        want.extend(many);
        assert_eq!(sorted(of(&conn, 7).unwrap()), sorted(want));
        assert_eq!(of(&conn, 8).unwrap(), [(5, 5)]);
        assert!(of(&conn, 9).unwrap().is_empty());
    }

    #[test]
    fn a_stale_memo_still_writes_every_pair() {
        let conn = table();
        let mut last = LastChunks::default();
        append(&conn, 7, &[(1, 1)], &mut last).unwrap();
        // The chunk it remembers is gone (rolled back, or emptied by a removal).
        conn.execute_batch("DELETE FROM entity_postings").unwrap();
        append(&conn, 7, &[(2, 1)], &mut last).unwrap();
        assert_eq!(of(&conn, 7).unwrap(), [(2, 1)]);
        // Another writer added a chunk after the one remembered: pairs join it.
        conn.execute(
            "INSERT INTO entity_postings(entity_id, chunk, count, lo, hi, postings)
             VALUES(7, 1, 1, 3, 3, '[3,1]'), (7, 2, 0, ?1, ?2, '[]')",
            params![UNKNOWN_RANGE.0, UNKNOWN_RANGE.1],
        )
        .unwrap();
        last.0.insert(7, (1, CHUNK));
        append(&conn, 7, &[(4, 2)], &mut last).unwrap();
        assert_eq!(sorted(of(&conn, 7).unwrap()), [(2, 1), (3, 1), (4, 2)]);
        assert_eq!(chunks(&conn, 7), [(0, 1), (1, 1), (2, 1)]);
    }

    #[test]
    fn removing_an_article_rewrites_or_drops_its_chunk_only() {
        let conn = table();
        let mut last = LastChunks::default();
        let full: Vec<Pair> = (1..=CHUNK).map(|a| (a, 1)).collect();
        append(&conn, 7, &full, &mut last).unwrap();
        append(&conn, 7, &[(5000, 4)], &mut last).unwrap();
        remove(&conn, 7, 5000).unwrap();
        assert_eq!(chunks(&conn, 7), [(0, CHUNK)], "an emptied chunk goes");
        remove(&conn, 7, 3).unwrap();
        remove(&conn, 7, 424_242).unwrap();
        assert_eq!(chunks(&conn, 7), [(0, CHUNK - 1)]);
        let left = of(&conn, 7).unwrap();
        assert_eq!(left.len() as i64, CHUNK - 1);
        assert!(!left.iter().any(|&(a, _)| a == 3));
        // The emptied chunk's number is taken again by the next one.
        append(&conn, 7, &[(6000, 1)], &mut LastChunks::default()).unwrap();
        append(&conn, 7, &[(6001, 1)], &mut LastChunks::default()).unwrap();
        assert_eq!(chunks(&conn, 7), [(0, CHUNK), (1, 1)]);
    }

    fn ranges(conn: &Connection, entity: i64) -> Vec<(i64, i64)> {
        per_chunk(conn, entity, "lo, hi")
    }

    #[test]
    fn a_chunk_keeps_the_range_of_its_articles() {
        let conn = table();
        let mut last = LastChunks::default();
        append(&conn, 7, &[(40, 1), (12, 1), (30, 2)], &mut last).unwrap();
        assert_eq!(ranges(&conn, 7), [(12, 40)]);
        append(&conn, 7, &[(50, 1), (5, 1)], &mut last).unwrap();
        assert_eq!(ranges(&conn, 7), [(5, 50)], "widened by what joins");
        remove(&conn, 7, 5).unwrap();
        remove(&conn, 7, 50).unwrap();
        assert_eq!(ranges(&conn, 7), [(12, 40)], "narrowed by what leaves");
        // A chunk of unknown range stays unknown whatever joins it.
        conn.execute(
            "UPDATE entity_postings SET lo = ?1, hi = ?2",
            params![UNKNOWN_RANGE.0, UNKNOWN_RANGE.1],
        )
        .unwrap();
        append(&conn, 7, &[(20, 1)], &mut last).unwrap();
        assert_eq!(ranges(&conn, 7), [UNKNOWN_RANGE]);
    }

    #[test]
    fn removal_reads_only_chunks_whose_range_holds_the_article() {
        let conn = table();
        // Written by hand: chunk 0 holds article 50 but claims 100 to 200, so it is not
        // looked in; chunk 1's range is unknown, so it always is; chunk 2 is not text.
        conn.execute(
            "INSERT INTO entity_postings(entity_id, chunk, count, lo, hi, postings)
             VALUES(7, 0, 2, 100, 200, '[50,1,150,1]'), (7, 1, 2, ?1, ?2, '[50,2,60,1]'),
                 (7, 2, 1, ?1, ?2, X'6A756E6B')",
            params![UNKNOWN_RANGE.0, UNKNOWN_RANGE.1],
        )
        .unwrap();
        remove(&conn, 7, 50).unwrap();
        assert_eq!(sorted(of(&conn, 7).unwrap()), [(50, 1), (60, 1), (150, 1)]);
        assert_eq!(ranges(&conn, 7)[1], (60, 60), "rewritten with its range");
        remove(&conn, 7, 150).unwrap();
        assert_eq!(sorted(of(&conn, 7).unwrap()), [(50, 1), (60, 1)]);
    }

    #[test]
    fn a_bulk_writes_what_it_gathered_and_forgets_what_it_took_back() {
        let conn = table();
        let mut last = LastChunks::default();
        let mut p = Pending::default();
        p.add(2, 10, 1);
        p.add(1, 10, 3);
        p.add(2, 11, 2);
        p.remove(2, 10);
        p.remove(9, 10);
        p.write(&conn, &mut last).unwrap();
        assert_eq!(of(&conn, 1).unwrap(), [(10, 3)]);
        assert_eq!(of(&conn, 2).unwrap(), [(11, 2)]);
        p.write(&conn, &mut last).unwrap();
        assert_eq!(of(&conn, 2).unwrap(), [(11, 2)], "written once");
    }
}
