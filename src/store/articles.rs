//! Articles in the cache: insert or update in place (one transaction with its entities and
//! its search entry), read back whole or as list metadata, and the read/starred flags.
//!
//! The body is stored once, as the block texts joined by newlines, with a small `layout`
//! (kind, length, credit, speaker per block) to cut it back into blocks. The FTS5 index reads
//! the same column (external content), so the text is not kept twice.

use super::Store;
use super::entities::{BulkLinks, KnownEntities, LinkText};
use crate::error::{Error, Result};
use crate::model::{Article, ArticleId, ArticleMeta, Block, BlockKind, Entity, EntityKind};
use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Where an article came from, beyond its own fields: all `None` for a file or a page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin<'a> {
    pub feed_id: Option<i64>,
    /// The item's guid in its feed.
    pub guid: Option<&'a str>,
    /// The [`Digest::short`] of the item as its feed gave it, before a page's full text
    /// replaced its excerpt: a refresh that finds the same item again leaves it alone.
    pub item_digest: Option<i64>,
    /// The article moves to this feed even if the item's text is the same as stored (the
    /// first-subscribed of two feeds that brought one story in the same refresh).
    pub take_over: bool,
}

/// A read-only look at which articles a cache holds, on a connection of its own, so the
/// parse workers of an import can skip an input stored already just as it is, before its
/// entities are extracted. It sees what was committed when it looked: anything newer goes
/// the usual way, and the writer finds it unchanged.
pub struct Lookup {
    conn: Connection,
}

impl Lookup {
    pub fn open(path: &std::path::Path) -> Result<Lookup> {
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(1))?;
        Ok(Lookup { conn })
    }

    /// Whether the article with this id is stored with this digest. Any error answers no,
    /// which costs only the skip.
    pub fn holds(&self, id: &ArticleId, digest: &Digest) -> bool {
        let stored: Option<String> = self
            .conn
            .prepare_cached("SELECT content_hash FROM articles WHERE id = ?1")
            .and_then(|mut q| q.query_row([id.as_str()], |r| r.get(0)).optional())
            .ok()
            .flatten();
        stored.is_some_and(|h| h == digest.hex())
    }
}

/// What an import did to the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Imported,
    Updated,
    Unchanged,
}

impl Upsert {
    pub fn as_str(self) -> &'static str {
        match self {
            Upsert::Imported => "imported",
            Upsert::Updated => "updated",
            Upsert::Unchanged => "unchanged",
        }
    }
}

/// Which articles a list shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ListFilter {
    #[default]
    All,
    Unread,
    Starred,
    Feed(i64),
    /// Articles that mention an entity, by its name or any alias, among entities of one kind
    /// when given (a sidebar row's); most mentions first.
    Entity(String, Option<EntityKind>),
}

#[derive(Serialize, Deserialize)]
struct LayoutBlock {
    k: BlockKind,
    n: usize,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    c: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    s: Option<String>,
}

/// An article in the form the cache stores it: body flattened, layout and content hash
/// computed. Pure work, so the parse workers do it and the one thread that writes does not.
#[derive(Debug, Clone)]
pub struct Encoded {
    hash: String,
    body: String,
    layout: String,
    links: Vec<LinkText>,
}

impl Encoded {
    /// The article's stored text, in bytes.
    pub fn text_len(&self) -> usize {
        self.body.len()
    }

    /// Roughly the bytes of memory it holds.
    pub fn weight(&self) -> usize {
        let links: usize = self.links.iter().map(LinkText::weight).sum();
        self.hash.len() + self.body.len() + self.layout.len() + links
    }

    /// The stored form of `article` and of its `entities` (pass the same entities to
    /// [`Store::upsert_encoded`]).
    pub fn of(article: &Article, entities: &[Entity]) -> Encoded {
        Encoded::of_digested(article, Digest::of(article), entities)
    }

    /// [`Encoded::of`] with the article's digest already taken (`Digest::of(article)`).
    pub fn of_digested(article: &Article, digest: Digest, entities: &[Entity]) -> Encoded {
        let (body, layout) = encode_body(&article.blocks);
        Encoded {
            hash: digest.hex(),
            body,
            layout,
            links: entities.iter().map(LinkText::of).collect(),
        }
    }
}

fn encode_body(blocks: &[Block]) -> (String, String) {
    let mut body = String::with_capacity(blocks.iter().map(|b| b.text.len() + 1).sum());
    let mut layout = Vec::with_capacity(blocks.len());
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            body.push('\n');
        }
        body.push_str(&b.text);
        layout.push(LayoutBlock {
            k: b.kind,
            n: b.text.len(),
            c: b.credit.clone(),
            s: b.speaker.clone(),
        });
    }
    let layout = serde_json::to_string(&layout).unwrap_or_else(|_| "[]".into());
    (body, layout)
}

fn decode_body(body: &str, layout: &str) -> Vec<Block> {
    let layout: Vec<LayoutBlock> = serde_json::from_str(layout).unwrap_or_default();
    let mut blocks = Vec::with_capacity(layout.len());
    let mut at = 0;
    for l in layout {
        let text = body.get(at..at + l.n).unwrap_or("").to_string();
        at += l.n + 1;
        blocks.push(Block {
            kind: l.k,
            text,
            credit: l.c,
            speaker: l.s,
        });
    }
    blocks
}

/// A SHA-1 of everything an article shows (not its flags): its stored `content_hash`, and
/// what a feed refresh compares to tell an item it has stored already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest([u8; 20]);

impl Digest {
    pub fn of(a: &Article) -> Digest {
        use sha1::Digest as _;
        let mut h = sha1::Sha1::new();
        for part in [
            Some(a.title.as_str()),
            a.section.as_deref(),
            a.standfirst.as_deref(),
            a.byline.as_deref(),
            a.published.as_deref(),
            a.link.as_deref(),
        ] {
            h.update(part.unwrap_or("\u{1}").as_bytes());
            h.update(b"\0");
        }
        for b in &a.blocks {
            h.update(b.kind.as_str().as_bytes());
            h.update(b.text.as_bytes());
            h.update(b.credit.as_deref().unwrap_or("").as_bytes());
            h.update(b.speaker.as_deref().unwrap_or("").as_bytes());
            h.update(b"\0");
        }
        Digest(h.finalize().into())
    }

    fn hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = String::with_capacity(40);
        for b in self.0 {
            hex.push(DIGITS[usize::from(b >> 4)] as char);
            hex.push(DIGITS[usize::from(b & 15)] as char);
        }
        hex
    }

    /// Its first eight bytes, as a number: enough to tell one version of an item from
    /// another, in a quarter of the memory a whole feed's worth of hex digests would take.
    pub fn short(&self) -> i64 {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.0[..8]);
        i64::from_be_bytes(first)
    }

    /// [`Digest::short`] of a digest stored as hex (`content_hash`).
    fn short_of_hex(hex: &str) -> Option<i64> {
        u64::from_str_radix(hex.get(..16)?, 16)
            .ok()
            .map(|v| v as i64)
    }
}

pub(super) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn iso_from_unix(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

pub(super) const META_COLUMNS: &str = "id, title, section, published, source, read, starred";

/// An [`ArticleMeta`] from the first seven columns of a row, in [`META_COLUMNS`] order.
pub(super) fn meta_from_row(r: &Row<'_>) -> rusqlite::Result<ArticleMeta> {
    Ok(ArticleMeta {
        id: ArticleId::new(r.get::<_, String>(0)?),
        title: r.get(1)?,
        section: r.get(2)?,
        published: r.get(3)?,
        source: r.get(4)?,
        read: r.get(5)?,
        starred: r.get(6)?,
    })
}

impl Store {
    /// Stores an article with its entities: new ones are inserted, changed ones updated in
    /// place (keeping read and starred), identical ones left alone. All or nothing.
    pub fn upsert(&mut self, article: &Article, entities: &[Entity]) -> Result<Upsert> {
        self.upsert_from(article, entities, &Origin::default())
    }

    /// [`Store::upsert`] for an item of a feed: `origin` is remembered with it (what it
    /// leaves out, an earlier write's origin provides).
    pub fn upsert_from(
        &mut self,
        article: &Article,
        entities: &[Entity],
        origin: &Origin,
    ) -> Result<Upsert> {
        self.upsert_encoded(article, &Encoded::of(article, entities), entities, origin)
    }

    /// [`Store::upsert_from`] with the article already encoded (by `Encoded::of(article, entities)`).
    pub fn upsert_encoded(
        &mut self,
        article: &Article,
        encoded: &Encoded,
        entities: &[Entity],
        origin: &Origin,
    ) -> Result<Upsert> {
        // Inside a bulk write, the bulk's transaction; otherwise one of its own. A
        // transaction no bulk owns (one whose ROLLBACK failed) is not joined: nobody would
        // commit it, so the write fails instead of being reported as stored.
        if self.bulk.open && !self.conn.is_autocommit() {
            return write_article(
                &self.conn,
                (article, encoded),
                entities,
                origin,
                &mut self.known,
                Some(&mut self.bulk),
            );
        }
        let outcome = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let outcome = write_article(
                &tx,
                (article, encoded),
                entities,
                origin,
                &mut self.known,
                None,
            )?;
            tx.commit()?;
            Ok(outcome)
        })();
        if outcome.is_err() {
            // Rolled back: what it noted as stored may not be.
            self.known.forget();
        }
        outcome
    }

    /// A [`Lookup`] into this cache; `None` in memory (or if it cannot be opened).
    pub fn lookup(&self) -> Option<Lookup> {
        self.path.as_deref().and_then(|p| Lookup::open(p).ok())
    }

    /// What a refresh of `feed` needs to tell the items it has stored already: each of its
    /// articles by id, with the [`Digest::short`] of the item as the feed last gave it. A row
    /// written before that was recorded answers with its stored article's, which is the
    /// item's, except in a full-text feed (the page's, or the excerpt an older dateline
    /// wrote over it): those are left out, so their pages are fetched once more.
    pub fn feed_item_digests(&self, feed: &super::Feed) -> Result<HashMap<String, i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, item_digest, content_hash FROM articles WHERE feed_id = ?1")?;
        let mut rows = stmt.query([feed.id])?;
        let mut digests = HashMap::new();
        while let Some(r) = rows.next()? {
            let item: Option<i64> = r.get(1)?;
            let stored = || {
                let hex = r.get_ref(2).ok()?.as_str().ok()?;
                Digest::short_of_hex(hex).filter(|_| !feed.full_text)
            };
            if let Some(d) = item.or_else(stored) {
                digests.insert(r.get(0)?, d);
            }
        }
        Ok(digests)
    }

    /// The feed each feed-borne article belongs to, by article id: a story two feeds carry
    /// belongs to the feed that brought it first. Read from the feed index alone.
    pub fn feed_owners(&self) -> Result<HashMap<String, i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, feed_id FROM articles WHERE feed_id IS NOT NULL")?;
        let owners = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(owners)
    }

    /// Opens a bulk write: until [`Store::end_bulk`], upserts go into one transaction, so the
    /// bulk pays for one commit (with FTS5 and the WAL, a commit per article costs more than
    /// the article; even a savepoint per article makes FTS5 flush). A bulk is committed whole
    /// or not at all, so each article in it is too. If an upsert inside a bulk fails, the
    /// article may be half-written: the caller must [`Store::rollback_bulk`] and store the
    /// bulk's articles again one by one ([`crate::bulk::BulkWriter`] does).
    pub fn begin_bulk(&mut self) -> Result<()> {
        // A bulk touches index pages all over the file; SQLite's default 2 MB page cache
        // made a large import reread them from the OS again and again; the log is copied
        // back into the file every 128 MB rather than every 1,000 pages (SQLite's default),
        // whatever the file's page size (16 KB for new caches, 4 KB for older ones). Pages
        // that every bulk changes (index pages, entity rows, their lists) are then copied
        // back once for several bulks: a 50,000-item fetch took 4.94–5.12 s against
        // 4.78–5.36 s with 32 MB (medians 5.0 and 5.17 s), for a log of up to 128 MB.
        // Foreign keys are not checked inside a bulk (the pragma must come before BEGIN):
        // every row it writes points at a row it has just written or read, except an item's
        // feed, which the bulk's commit checks once ([`Bulk::finish`]); the checks were two
        // extra lookups per entity link.
        // Failing to leave the log only leaves the bulk to go through it.
        let _ = self.leave_log();
        let page: i64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let checkpoint_pages = (128 << 20) / page.max(512);
        self.conn.execute_batch(&format!(
            "PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint={checkpoint_pages}; \
             PRAGMA foreign_keys=OFF"
        ))?;
        if let Err(e) = self.conn.execute_batch("BEGIN IMMEDIATE") {
            self.after_bulk();
            return Err(e.into());
        }
        self.bulk.clear();
        self.bulk.open = true;
        Ok(())
    }

    /// Commits a bulk write. On failure the bulk is rolled back (none of it is stored) and
    /// the error returned.
    pub fn end_bulk(&mut self) -> Result<()> {
        self.bulk.open = false;
        if self.conn.is_autocommit() {
            // Nothing open: SQLite rolled the bulk back itself (a full disk, say) and what
            // it wrote is gone, or it wrote nothing. Leave no bulk state either way.
            let lost = !self.bulk.rows.is_empty();
            self.bulk.clear();
            self.after_bulk();
            if lost {
                return Err(Error::Other(
                    "the cache rolled back a bulk write before its commit".into(),
                ));
            }
            return Ok(());
        }
        let finished = self.bulk.finish(&self.conn, &mut self.known);
        let committed = finished.and_then(|_| Ok(self.conn.execute_batch("COMMIT")?));
        if let Err(e) = committed {
            self.rollback_bulk();
            return Err(e);
        }
        self.after_bulk();
        Ok(())
    }

    /// What every end of a bulk (or a failed start) restores: foreign key checks, and the
    /// log if the bulk left it. Neither can fail in a way the bulk's outcome should carry:
    /// a failed switch back to the log is tried again later (see `back_to_log`).
    fn after_bulk(&mut self) {
        let _ = self.conn.execute_batch("PRAGMA foreign_keys=ON");
        let _ = self.back_to_log();
    }

    /// Adds what the open bulk has written so far to the search index, if that is at least
    /// `at_least` articles: done while the writer waits for more, it leaves less to its
    /// commit.
    pub fn index_bulk_so_far(&mut self, at_least: usize) -> Result<()> {
        if !self.bulk.open || self.bulk.fts.len() < at_least {
            return Ok(());
        }
        self.bulk.index_written(&self.conn)
    }

    /// Abandons a bulk write: none of its articles are stored.
    pub fn rollback_bulk(&mut self) {
        self.bulk.clear();
        self.known.forget();
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        self.after_bulk();
    }

    /// The whole article, or `None` when no article has that id.
    pub fn article(&self, id: &ArticleId) -> Result<Option<Article>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT id, section, title, standfirst, byline, published, link, source,
                 body, layout, imported_at, read, starred FROM articles WHERE id = ?1",
            )?
            .query_row([id.as_str()], |r| {
                let body: String = r.get(8)?;
                let layout: String = r.get(9)?;
                Ok(Article {
                    id: ArticleId::new(r.get::<_, String>(0)?),
                    section: r.get(1)?,
                    title: r.get(2)?,
                    standfirst: r.get(3)?,
                    byline: r.get(4)?,
                    published: r.get(5)?,
                    link: r.get(6)?,
                    source: r.get(7)?,
                    blocks: decode_body(&body, &layout),
                    imported_at: r.get(10)?,
                    read: r.get(11)?,
                    starred: r.get(12)?,
                })
            })
            .optional()?;
        Ok(row)
    }

    /// Resolves what a user typed: a full id, or a unique prefix of one.
    pub fn resolve_id(&self, typed: &str) -> Result<ArticleId> {
        let typed = typed.trim();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM articles WHERE id >= ?1 AND id < ?1 || '~' LIMIT 2")?;
        let ids: Vec<String> = stmt
            .query_map([typed], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        match ids.as_slice() {
            [one] => Ok(ArticleId::new(one.clone())),
            _ if typed.is_empty() => Err(Error::NoSuchArticle(typed.to_string())),
            [] => Err(Error::NoSuchArticle(typed.to_string())),
            _ => ids
                .iter()
                .find(|i| i.as_str() == typed)
                .map(|i| ArticleId::new(i.clone()))
                .ok_or_else(|| Error::Other(format!("id prefix {typed} is ambiguous"))),
        }
    }

    /// Article metadata, newest first (or best first for an entity filter).
    pub fn list(&self, filter: &ListFilter, limit: Option<usize>) -> Result<Vec<ArticleMeta>> {
        let limit = limit.map(|l| l as i64).unwrap_or(-1);
        let (sql, arg): (String, Option<rusqlite::types::Value>) = match filter {
            ListFilter::All => (
                format!(
                    "SELECT {META_COLUMNS} FROM articles ORDER BY sort_key DESC, rowid DESC LIMIT ?1"
                ),
                None,
            ),
            ListFilter::Unread => (
                format!(
                    "SELECT {META_COLUMNS} FROM articles WHERE read = 0 ORDER BY sort_key DESC, rowid DESC LIMIT ?1"
                ),
                None,
            ),
            ListFilter::Starred => (
                format!(
                    "SELECT {META_COLUMNS} FROM articles WHERE starred = 1 ORDER BY sort_key DESC, rowid DESC LIMIT ?1"
                ),
                None,
            ),
            ListFilter::Feed(f) => (
                format!(
                    "SELECT {META_COLUMNS} FROM articles WHERE feed_id = ?2 ORDER BY sort_key DESC, rowid DESC LIMIT ?1"
                ),
                Some((*f).into()),
            ),
            ListFilter::Entity(name, kind) => {
                let limit = (limit >= 0).then_some(limit as usize);
                let hits = self.entity_articles_of(name, *kind, limit)?;
                return Ok(hits.into_iter().map(|h| h.article).collect());
            }
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = match arg {
            Some(a) => stmt.query_map(params![limit, a], meta_from_row)?,
            None => stmt.query_map(params![limit], meta_from_row)?,
        };
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Just the ids of a list, in order: cheap even for a very large cache (read from an
    /// index alone), so the reader can hold the whole list and load metadata for the rows on
    /// screen only.
    pub fn list_ids(&self, filter: &ListFilter) -> Result<Vec<ArticleId>> {
        let Some((sql, arg)) = ids_query(filter) else {
            return Ok(self.list(filter, None)?.into_iter().map(|m| m.id).collect());
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let id = |r: &Row<'_>| Ok(ArticleId::new(r.get::<_, String>(0)?));
        let ids = match arg {
            Some(a) => stmt.query_map([a], id)?.collect::<rusqlite::Result<_>>()?,
            None => stmt.query_map([], id)?.collect::<rusqlite::Result<_>>()?,
        };
        Ok(ids)
    }

    /// Metadata for the given ids, in the order given; unknown ids are skipped.
    pub fn metas(&self, ids: &[ArticleId]) -> Result<Vec<ArticleMeta>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {META_COLUMNS} FROM articles WHERE id = ?1"
        ))?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(m) = stmt.query_row([id.as_str()], meta_from_row).optional()? {
                out.push(m);
            }
        }
        Ok(out)
    }

    pub fn count(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM articles", [], |r| r.get(0))?;
        Ok(n as usize)
    }

    pub fn set_read(&self, id: &ArticleId, read: bool) -> Result<()> {
        self.set_flag(id, "read", read)
    }

    pub fn set_starred(&self, id: &ArticleId, starred: bool) -> Result<()> {
        self.set_flag(id, "starred", starred)
    }

    fn set_flag(&self, id: &ArticleId, column: &str, value: bool) -> Result<()> {
        let n = self.write_alone(|tx| {
            Ok(tx.execute(
                &format!("UPDATE articles SET {column} = ?2 WHERE id = ?1"),
                params![id.as_str(), value],
            )?)
        })?;
        if n == 0 {
            return Err(Error::NoSuchArticle(id.to_string()));
        }
        Ok(())
    }

    /// Every article id with its text, for re-running extraction (`reindex`).
    pub fn all_ids(&self) -> Result<Vec<ArticleId>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM articles ORDER BY rowid")?;
        let ids = stmt
            .query_map([], |r| Ok(ArticleId::new(r.get::<_, String>(0)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Replaces one article's entities (after the extractor improved).
    pub fn replace_entities(&mut self, id: &ArticleId, entities: &[Entity]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let known = &mut self.known;
        let replaced = (|| {
            let rowid = article_rowid(&tx, id)?;
            super::entities::remove_article_entities(&tx, rowid, None)?;
            super::entities::insert_article_entities(&tx, rowid, entities, None, known, None)?;
            tx.commit()?;
            Ok(())
        })();
        if replaced.is_err() {
            known.forget();
        }
        replaced
    }

    /// The cache file's size in bytes, WAL included (0 in memory).
    pub fn size_on_disk(&self) -> u64 {
        let Some(p) = &self.path else { return 0 };
        let mut total = 0;
        for suffix in ["", "-wal"] {
            let mut os = p.clone().into_os_string();
            os.push(suffix);
            total += std::fs::metadata(&os).map(|m| m.len()).unwrap_or(0);
        }
        total
    }
}

/// The query for a list's ids, newest first, with its argument; `None` for an entity's
/// list, which is ordered by mentions. Each is answered from an index alone (schema 6): at
/// 100,000 articles, reading the ids through the article rows took 300 ms.
pub(super) fn ids_query(filter: &ListFilter) -> Option<(&'static str, Option<i64>)> {
    Some(match filter {
        ListFilter::All => (
            "SELECT id FROM articles ORDER BY sort_key DESC, rowid DESC",
            None,
        ),
        ListFilter::Unread => (
            "SELECT id FROM articles WHERE read = 0 ORDER BY sort_key DESC, rowid DESC",
            None,
        ),
        ListFilter::Starred => (
            "SELECT id FROM articles WHERE starred = 1 ORDER BY sort_key DESC, rowid DESC",
            None,
        ),
        ListFilter::Feed(f) => (
            "SELECT id FROM articles WHERE feed_id = ?1 ORDER BY sort_key DESC, rowid DESC",
            Some(*f),
        ),
        ListFilter::Entity(..) => return None,
    })
}

/// Writes one article and its entities on `conn` (a transaction the caller commits). Inside
/// a bulk, its search entry and its entities' totals are left to the bulk's commit.
fn write_article(
    conn: &Connection,
    (article, encoded): (&Article, &Encoded),
    entities: &[Entity],
    origin: &Origin,
    known: &mut KnownEntities,
    mut bulk: Option<&mut Bulk>,
) -> Result<Upsert> {
    let Encoded {
        hash,
        body,
        layout,
        links,
    } = encoded;
    let now = now();
    let existing: Option<(i64, String, Option<i64>, Option<i64>)> = conn
        .prepare_cached(
            "SELECT rowid, content_hash, item_digest, feed_id FROM articles WHERE id = ?1",
        )?
        .query_row([article.id.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let sort_key = article
        .published
        .clone()
        .unwrap_or_else(|| iso_from_unix(now));
    // The item the row stands for from now on: the one given, else the one it had. A row
    // from before schema 7 had none: what it held came from its item as it was then, so that
    // is remembered (otherwise a reader's full text written over it would no longer match
    // the feed's item, and the next refresh would put the excerpt back).
    let mut item_digest = origin.item_digest;
    let (outcome, old_rowid) = match existing {
        Some((rowid, old_hash, _, old_feed))
            if old_hash == *hash
                && origin.take_over
                && origin.feed_id.is_some()
                && old_feed != origin.feed_id =>
        {
            conn.prepare_cached(
                "UPDATE articles SET feed_id = ?2, guid = COALESCE(?3, guid),
                     item_digest = COALESCE(?4, item_digest) WHERE rowid = ?1",
            )?
            .execute(params![
                rowid,
                origin.feed_id,
                origin.guid,
                origin.item_digest
            ])?;
            return Ok(Upsert::Unchanged);
        }
        Some((rowid, old_hash, old_item, old_feed)) if old_hash == *hash => {
            // The same article from a changed item of its own feed (the page's text had not
            // changed): remember the item as it is now, or every refresh would fetch the
            // page again. Another feed's item for the same article does not replace it.
            if let Some(item) = origin.item_digest.filter(|d| old_item != Some(*d))
                && (old_feed.is_none() || old_feed == origin.feed_id)
            {
                conn.prepare_cached("UPDATE articles SET item_digest = ?2 WHERE rowid = ?1")?
                    .execute(params![rowid, item])?;
            }
            return Ok(Upsert::Unchanged);
        }
        Some((rowid, old_hash, old_item, _)) => {
            item_digest = item_digest
                .or(old_item)
                .or_else(|| Digest::short_of_hex(&old_hash));
            // An article written earlier in the same bulk is not indexed yet: nothing to
            // delete from the index (deleting what is not there would corrupt it).
            let indexed = !bulk.as_ref().is_some_and(|b| b.fts.contains(&rowid));
            if indexed {
                fts_rows(conn, &[rowid], true)?;
            }
            super::entities::remove_article_entities(
                conn,
                rowid,
                bulk.as_deref_mut().map(|b| &mut b.links),
            )?;
            (Upsert::Updated, Some(rowid))
        }
        None => (Upsert::Imported, None),
    };
    // OR FAIL, not SQLite's default ABORT: a failed write rolls back its whole transaction
    // anyway (the caller's), and with no statement to undo on its own SQLite keeps no copy
    // of each page the statement changes (a statement journal: 6 % of the writer's time on
    // a 50,000-item fetch).
    // ?1 to ?15 in both statements; then each its own. Bound by position: by name, the
    // lookups made a 50,000-item fetch measurably slower.
    let shared: [&dyn rusqlite::ToSql; 15] = [
        &article.section,
        &article.title,
        &article.standfirst,
        &article.byline,
        &article.published,
        &article.link,
        &article.source,
        body,
        layout,
        hash,
        &sort_key,
        &now,
        &origin.feed_id,
        &origin.guid,
        &item_digest,
    ];
    let rowid = match old_rowid {
        None => {
            let id = article.id.as_str();
            let own: [&dyn rusqlite::ToSql; 3] = [&id, &article.read, &article.starred];
            conn.prepare_cached(
                "INSERT OR FAIL INTO articles(section, title, standfirst, byline, published,
                     link, source, body, layout, content_hash, sort_key, imported_at,
                     updated_at, feed_id, guid, item_digest, id, read, starred)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14,
                     ?15, ?16, ?17, ?18)",
            )?
            .execute(rusqlite::params_from_iter(shared.iter().chain(&own)))?;
            conn.last_insert_rowid()
        }
        // A changed article keeps its row, import time, read and starred flags, and its
        // feed and guid unless new ones are given (its item is worked out above).
        Some(rowid) => {
            conn.prepare_cached(
                "UPDATE OR FAIL articles SET section = ?1, title = ?2, standfirst = ?3,
                     byline = ?4, published = ?5, link = ?6, source = ?7, body = ?8,
                     layout = ?9, content_hash = ?10, sort_key = ?11, updated_at = ?12,
                     feed_id = COALESCE(?13, feed_id), guid = COALESCE(?14, guid),
                     item_digest = ?15
                 WHERE rowid = ?16",
            )?
            .execute(rusqlite::params_from_iter(
                shared.iter().chain([&rowid as &dyn rusqlite::ToSql].iter()),
            ))?;
            rowid
        }
    };
    match bulk.as_deref_mut() {
        Some(b) => {
            if b.fts.insert(rowid) {
                b.rows.push(rowid);
            }
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO articles_fts(rowid, title, standfirst, body) VALUES(?1, ?2, ?3, ?4)",
            )?
            .execute(params![rowid, article.title, article.standfirst, body])?;
        }
    }
    let deferred = bulk.map(|b| &mut b.links);
    super::entities::insert_article_entities(conn, rowid, entities, Some(links), known, deferred)?;
    Ok(outcome)
}

/// What an open bulk write defers to its commit: the search entries of its articles (FTS5
/// flushes its pending index at every statement savepoint, so entries written one statement
/// per article became one index segment each), and its entities' running totals and lists.
#[derive(Default)]
pub(crate) struct Bulk {
    /// Between a successful `BEGIN` and the bulk's end.
    open: bool,
    /// Rows written in the bulk and not in the search index yet.
    fts: HashSet<i64>,
    /// Every row written in the bulk.
    rows: Vec<i64>,
    /// An early index write failed part way: the bulk cannot be committed.
    broken: bool,
    links: BulkLinks,
}

impl Bulk {
    fn clear(&mut self) {
        self.open = false;
        self.fts.clear();
        self.rows.clear();
        self.broken = false;
        self.links.clear();
    }

    /// Adds the rows written so far to the search index (inside the bulk's transaction).
    ///
    /// One row per statement, by value: FTS5 keeps what it is given in memory until the
    /// commit and writes it out as one segment, unless a statement that might have to be
    /// undone on its own comes first (any `INSERT … SELECT` into it): that makes it write out
    /// what it holds, a segment each time, and a bulk indexed part way would leave many.
    fn index_written(&mut self, conn: &Connection) -> Result<()> {
        if self.fts.is_empty() {
            return Ok(());
        }
        let mut rowids: Vec<i64> = self.fts.drain().collect();
        rowids.sort_unstable();
        let indexed = fts_rows(conn, &rowids, false);
        if indexed.is_err() {
            self.broken = true;
        }
        indexed
    }

    /// Writes what was deferred, inside the bulk's transaction.
    fn finish(&mut self, conn: &Connection, known: &mut KnownEntities) -> Result<()> {
        if self.broken {
            return Err(Error::Other("the bulk's search index write failed".into()));
        }
        let rowids = std::mem::take(&mut self.rows);
        if !rowids.is_empty() {
            let list = serde_json::to_string(&rowids).unwrap_or_else(|_| "[]".into());
            // The one reference a bulk does not write or read itself: a feed removed by
            // another process since the refresh began (what the unchecked foreign key
            // would have set to NULL).
            conn.execute(
                "UPDATE articles SET feed_id = NULL
                 WHERE rowid IN (SELECT value FROM json_each(?1)) AND feed_id IS NOT NULL
                   AND feed_id NOT IN (SELECT id FROM feeds)",
                [&list],
            )?;
        }
        self.index_written(conn)?;
        self.links.write(conn, known)
    }
}

/// Adds rows of `articles` to the search index, or (`delete`) takes them out as they are
/// stored now: one statement per row, by value (see [`Bulk::index_written`]).
fn fts_rows(conn: &Connection, rowids: &[i64], delete: bool) -> Result<()> {
    let mut read =
        conn.prepare_cached("SELECT title, standfirst, body FROM articles WHERE rowid = ?1")?;
    let mut write = conn.prepare_cached(if delete {
        "INSERT INTO articles_fts(articles_fts, rowid, title, standfirst, body)
         VALUES('delete', ?1, ?2, ?3, ?4)"
    } else {
        "INSERT INTO articles_fts(rowid, title, standfirst, body) VALUES(?1, ?2, ?3, ?4)"
    })?;
    for &rowid in rowids {
        // Written from the row as SQLite holds it, with no copy of the text in between and no
        // second check that it is UTF-8: it was stored from a Rust string, and FTS5 reads
        // bytes anyway (the check took 1 % of a fetch's CPU, on the writer).
        let mut rows = read.query([rowid])?;
        if let Some(r) = rows.next()? {
            let text = |i: usize| r.get_ref(i).map(ToSqlOutput::Borrowed);
            write.execute(params![rowid, text(0)?, text(1)?, text(2)?])?;
        }
    }
    Ok(())
}

pub(super) fn article_rowid(tx: &Transaction<'_>, id: &ArticleId) -> Result<i64> {
    find_rowid(tx, id)?.ok_or_else(|| Error::NoSuchArticle(id.to_string()))
}

/// The article's rowid, or `None` when no article has that id.
pub(super) fn find_rowid(conn: &Connection, id: &ArticleId) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT rowid FROM articles WHERE id = ?1")?
        .query_row([id.as_str()], |r| r.get(0))
        .optional()?)
}
