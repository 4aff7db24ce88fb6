//! Entities in the cache: one row per (name, kind) with running totals, the aliases each was
//! seen under, each article's links (one row per article: its entities, mention counts and
//! spans) and each entity's articles ([`super::postings`]). Answers the questions the sidebar and
//! the CLI ask: an article's entities, the most mentioned overall, every article that mentions
//! one, the entities seen beside one, and the articles related through shared entities.

use super::Store;
use super::articles::META_COLUMNS;
use super::postings::{self, LastChunks, Pending};
use crate::entities::gazetteer::{FastMap, FastSet};
use crate::error::{Error, Result};
use crate::model::{ArticleId, ArticleMeta, Entity, EntityKind, Field, Mention};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// An entity across the whole cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntitySummary {
    pub name: String,
    pub kind: EntityKind,
    /// How many articles mention it.
    pub articles: usize,
    /// How many mentions in all (for `cooccurring`, articles shared with the given entity).
    pub mentions: usize,
}

/// An article that mentions an entity, with how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityArticle {
    pub article: ArticleMeta,
    pub mentions: usize,
}

fn field_code(f: Field) -> (u8, i64) {
    match f {
        Field::Title => (0, -1),
        Field::Standfirst => (1, -1),
        Field::Block(i) => (2, i as i64),
        Field::Credit(i) => (3, i as i64),
    }
}

fn field_from_code(code: u8, block: i64) -> Option<Field> {
    let b = usize::try_from(block).ok();
    match code {
        0 => Some(Field::Title),
        1 => Some(Field::Standfirst),
        2 => b.map(Field::Block),
        3 => b.map(Field::Credit),
        _ => None,
    }
}

/// Entity ids and aliases known to be in the file. Entities are never deleted, so an id
/// once seen stays valid, unless the bulk that created it is rolled back: then
/// [`KnownEntities::forget`] must be called.
/// Looked up once per entity link, so keyed for that: by kind, then by name as a `&str`
/// (no key to build), with a fast hash.
#[derive(Default)]
pub(crate) struct KnownEntities {
    /// Name to id, one map per kind (in [`EntityKind::ALL`] order).
    ids: [FastMap<String, i64>; 4],
    aliases: FastMap<i64, FastSet<String>>,
    /// Where each entity's articles went last.
    chunks: LastChunks,
}

impl KnownEntities {
    /// Past this many entities the memo is dropped and rebuilt as it is used.
    const LIMIT: usize = 200_000;

    pub(crate) fn forget(&mut self) {
        self.ids.iter_mut().for_each(FastMap::clear);
        self.aliases.clear();
        self.chunks.clear();
    }

    fn len(&self) -> usize {
        let ids: usize = self.ids.iter().map(FastMap::len).sum();
        ids.max(self.aliases.len()).max(self.chunks.len())
    }

    fn ids_of(&mut self, kind: EntityKind) -> &mut FastMap<String, i64> {
        let slot = match kind {
            EntityKind::Person => 0,
            EntityKind::Organization => 1,
            EntityKind::Place => 2,
            EntityKind::Other => 3,
        };
        &mut self.ids[slot]
    }
}

/// Per-entity totals of a bulk write, added to the `entities` rows once when it commits:
/// updating an entity's row (and the `entities_top` index) for every article that mentions
/// it was most of the cost of storing an article.
#[derive(Default)]
pub(crate) struct EntityTotals(FastMap<i64, (i64, i64)>);

impl EntityTotals {
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// Adds the totals to the entities' rows (inside the bulk's transaction).
    pub(crate) fn apply(&mut self, tx: &Connection) -> Result<()> {
        let mut add = tx.prepare_cached(
            "UPDATE entities SET articles = articles + ?2, mentions = mentions + ?3 WHERE id = ?1",
        )?;
        for (id, (articles, mentions)) in self.0.drain() {
            add.execute(params![id, articles, mentions])?;
        }
        Ok(())
    }
}

/// What an open bulk defers to its commit about entities: their running totals and the
/// articles to add to their lists.
#[derive(Default)]
pub(crate) struct BulkLinks {
    totals: EntityTotals,
    postings: Pending,
}

impl BulkLinks {
    pub(crate) fn clear(&mut self) {
        self.totals.clear();
        self.postings.clear();
    }

    /// Writes what was deferred (inside the bulk's transaction).
    pub(crate) fn write(&mut self, tx: &Connection, known: &mut KnownEntities) -> Result<()> {
        self.totals.apply(tx)?;
        self.postings.write(tx, &mut known.chunks)
    }
}

/// Links an article to its entities. Inside a bulk (`bulk` given) the entities' totals and
/// lists are gathered there for its commit; outside, they are written now.
pub(super) fn insert_article_entities(
    tx: &Connection,
    article: i64,
    entities: &[Entity],
    encoded: Option<&[LinkText]>,
    known: &mut KnownEntities,
    bulk: Option<&mut BulkLinks>,
) -> Result<()> {
    // Text made for other entities than these would be wrong: then it is made here.
    let encoded = encoded.filter(|l| l.len() == entities.len());
    if known.len() > KnownEntities::LIMIT {
        known.forget();
    }
    let mut own = BulkLinks::default();
    let (deferred, write_now) = match bulk {
        Some(b) => (b, false),
        None => (&mut own, true),
    };
    let mut add_alias =
        tx.prepare_cached("INSERT OR IGNORE INTO entity_aliases(alias, entity_id) VALUES(?1, ?2)")?;
    // `[[entity, mentions, aliases, spans], …]`, an entity once (two with one name and kind
    // add up, as two rows for it did).
    let mut links: Vec<(i64, i64, &LinkText)> = Vec::with_capacity(entities.len());
    let made: Vec<LinkText>;
    let texts: &[LinkText] = match encoded {
        Some(t) => t,
        None => {
            made = entities.iter().map(LinkText::of).collect();
            &made
        }
    };
    for (e, text) in entities.iter().zip(texts) {
        if e.mentions.is_empty() {
            continue;
        }
        let mentions = e.mentions.len() as i64;
        let id = entity_id(tx, known, &e.name, e.kind)?;
        let seen = known.aliases.entry(id).or_default();
        for alias in std::iter::once(&e.name).chain(&e.aliases) {
            if !seen.contains(alias.as_str()) {
                add_alias.execute(params![alias, id])?;
                seen.insert(alias.clone());
            }
        }
        match links.iter_mut().find(|(other, ..)| *other == id) {
            Some(l) => l.1 += mentions,
            None => links.push((id, mentions, text)),
        }
    }
    if links.is_empty() {
        return Ok(());
    }
    let mut row = String::with_capacity(links.iter().map(|l| l.2.weight()).sum::<usize>() + 2);
    // itoa rather than `write!` (see `postings::encode`).
    let mut digits = itoa::Buffer::new();
    row.push('[');
    for (i, (id, mentions, text)) in links.iter().enumerate() {
        if i > 0 {
            row.push(',');
        }
        row.push('[');
        row.push_str(digits.format(*id));
        row.push(',');
        row.push_str(digits.format(*mentions));
        row.push(',');
        row.push_str(&text.aliases);
        row.push(',');
        row.push_str(&text.spans);
        row.push(']');
        let t = deferred.totals.0.entry(*id).or_default();
        t.0 += 1;
        t.1 += mentions;
        deferred.postings.add(*id, article, *mentions);
    }
    row.push(']');
    tx.prepare_cached("INSERT INTO article_links(article, links) VALUES(?1, ?2)")?
        .execute(params![article, row])?;
    if write_now {
        deferred.write(tx, known)?;
    }
    Ok(())
}

/// The `(entity, mentions)` pairs of an article's links row; `None` if it is malformed.
fn link_pairs(links: &str) -> Option<Vec<(i64, i64)>> {
    use serde::de::IgnoredAny;
    serde_json::from_str::<Vec<(i64, i64, IgnoredAny, IgnoredAny)>>(links)
        .ok()
        .map(|v| v.into_iter().map(|(e, m, ..)| (e, m)).collect())
}

/// An article's links row, if it has one.
fn links_row(conn: &Connection, article: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT links FROM article_links WHERE article = ?1")?
        .query_row([article], |r| r.get(0))
        .optional()?)
}

/// The `(entity, mentions)` pairs an article is linked by, for reading: a malformed row
/// (written by hand) reads as none.
fn links_of(conn: &Connection, article: i64) -> Result<Vec<(i64, i64)>> {
    Ok(links_row(conn, article)?
        .as_deref()
        .and_then(link_pairs)
        .unwrap_or_default())
}

/// An entity's aliases and mention spans in the form the cache stores them (JSON). Made by
/// the parse workers with the rest of [`super::Encoded`], so the writer only writes.
#[derive(Debug, Clone)]
pub struct LinkText {
    aliases: String,
    spans: String,
}

impl LinkText {
    /// Roughly the bytes of memory it holds.
    pub fn weight(&self) -> usize {
        std::mem::size_of::<LinkText>() + self.aliases.len() + self.spans.len()
    }

    pub fn of(e: &Entity) -> LinkText {
        let spans: Vec<(u8, i64, usize, usize)> = e
            .mentions
            .iter()
            .map(|m| {
                let (code, block) = field_code(m.field);
                (code, block, m.start, m.end)
            })
            .collect();
        LinkText {
            aliases: serde_json::to_string(&e.aliases).unwrap_or_else(|_| "[]".into()),
            spans: serde_json::to_string(&spans).unwrap_or_else(|_| "[]".into()),
        }
    }
}

/// The id of the entity row for (name, kind), created with zero totals if new.
fn entity_id(
    tx: &Connection,
    known: &mut KnownEntities,
    name: &str,
    kind: EntityKind,
) -> Result<i64> {
    if let Some(id) = known.ids_of(kind).get(name) {
        return Ok(*id);
    }
    let found: Option<i64> = tx
        .prepare_cached("SELECT id FROM entities WHERE name = ?1 AND kind = ?2")?
        .query_row(params![name, kind.as_str()], |r| r.get(0))
        .optional()?;
    let id = match found {
        Some(id) => id,
        None => {
            tx.prepare_cached(
                "INSERT INTO entities(name, kind, articles, mentions) VALUES(?1, ?2, 0, 0)",
            )?
            .execute(params![name, kind.as_str()])?;
            tx.last_insert_rowid()
        }
    };
    known.ids_of(kind).insert(name.to_string(), id);
    Ok(id)
}

/// Unlinks an article from its entities (before it is linked again, changed): their totals
/// drop now, and it leaves their lists, stored or gathered by the open `bulk`.
pub(super) fn remove_article_entities(
    tx: &Connection,
    article: i64,
    mut bulk: Option<&mut BulkLinks>,
) -> Result<()> {
    let mut drop_totals = tx.prepare_cached(
        "UPDATE entities SET articles = articles - 1, mentions = mentions - ?2 WHERE id = ?1",
    )?;
    let links = match links_row(tx, article)? {
        None => Vec::new(),
        // Unlinking it blind would leave its entities' totals and lists counting it.
        Some(row) => link_pairs(&row).ok_or_else(|| {
            Error::Other(
                "its entity links in the cache are unreadable; `dateline reindex` rebuilds them"
                    .into(),
            )
        })?,
    };
    for (entity, mentions) in links {
        drop_totals.execute(params![entity, mentions])?;
        if let Some(b) = bulk.as_deref_mut() {
            b.postings.remove(entity, article);
        }
        postings::remove(tx, entity, article)?;
    }
    tx.prepare_cached("DELETE FROM article_links WHERE article = ?1")?
        .execute([article])?;
    Ok(())
}

impl Store {
    /// One article's entities with their mentions (texts sliced from the stored article),
    /// most mentioned first.
    pub fn article_entities(&self, id: &ArticleId) -> Result<Vec<Entity>> {
        let Some(article) = self.article(id)? else {
            return Ok(Vec::new());
        };
        let links: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT l.links FROM article_links l JOIN articles a ON a.rowid = l.article
                 WHERE a.id = ?1",
            )?
            .query_row([id.as_str()], |r| r.get(0))
            .optional()?;
        type Link = (i64, i64, Vec<String>, Vec<(u8, i64, usize, usize)>);
        let links: Vec<Link> = links
            .and_then(|l| serde_json::from_str(&l).ok())
            .unwrap_or_default();
        let mut out = Vec::with_capacity(links.len());
        for (entity_id, count, aliases, spans) in links {
            let Some(EntitySummary { name, kind, .. }) = self.entity_summary(entity_id)? else {
                continue;
            };
            let mentions = spans
                .into_iter()
                .filter_map(|(code, block, start, end)| {
                    let field = field_from_code(code, block)?;
                    let text = article.field(field)?.get(start..end)?.to_string();
                    Some(Mention {
                        field,
                        start,
                        end,
                        text,
                    })
                })
                .collect();
            let e = Entity {
                name,
                kind,
                aliases,
                mentions,
            };
            out.push((count, e));
        }
        out.sort_by(|(a, x), (b, y)| b.cmp(a).then_with(|| x.name.cmp(&y.name)));
        Ok(out.into_iter().map(|(_, e)| e).collect())
    }

    /// Forgets every article's entity links, the entities' lists and their totals (the
    /// entities and their aliases stay), so that `reindex` links every article afresh.
    /// Unlinking one article searches the lists of each of its entities: done for every
    /// article of a large cache, that grows with the square of its size.
    pub fn clear_entity_links(&mut self) -> Result<()> {
        self.known.forget();
        self.write_alone(|tx| {
            tx.execute_batch(
                "DELETE FROM article_links; DELETE FROM entity_postings;
                 UPDATE entities SET articles = 0, mentions = 0
                 WHERE articles != 0 OR mentions != 0;",
            )?;
            Ok(())
        })
    }

    /// The most mentioned entities across the cache, optionally of one kind.
    pub fn top_entities(
        &self,
        kind: Option<EntityKind>,
        limit: usize,
    ) -> Result<Vec<EntitySummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, kind, articles, mentions FROM entities
             WHERE articles > 0 AND (?1 IS NULL OR kind = ?1)
             ORDER BY mentions DESC, articles DESC, name LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![kind.map(|k| k.as_str()), limit as i64], summary_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Entities known by this name or alias (case-insensitive), most mentioned first.
    pub fn find_entities(&self, name: &str) -> Result<Vec<EntitySummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.name, e.kind, e.articles, e.mentions FROM entity_aliases al
             JOIN entities e ON e.id = al.entity_id
             WHERE al.alias = ?1 AND e.articles > 0 ORDER BY e.mentions DESC",
        )?;
        let rows = stmt.query_map([name], summary_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every article that mentions the entity (by name or alias), most mentions first.
    pub fn entity_articles(&self, name: &str, limit: Option<usize>) -> Result<Vec<EntityArticle>> {
        self.entity_articles_of(name, None, limit)
    }

    /// [`Store::entity_articles`] among entities of one kind only, when given: the place
    /// `Jordan` is not the person `Michael Jordan` that a lone `Jordan` also names.
    pub fn entity_articles_of(
        &self,
        name: &str,
        kind: Option<EntityKind>,
        limit: Option<usize>,
    ) -> Result<Vec<EntityArticle>> {
        let ids = self.entity_ids(name, kind)?;
        // Several entities by one name (a common surname): an article counts once, by the
        // most it mentions any of them.
        let mut ranked: Vec<(i64, i64)> = match ids.as_slice() {
            [one] => postings::of(&self.conn, *one)?,
            many => {
                let mut best: FastMap<i64, i64> = FastMap::default();
                for id in many {
                    for (article, mentions) in postings::of(&self.conn, *id)? {
                        let m = best.entry(article).or_default();
                        *m = (*m).max(mentions);
                    }
                }
                best.into_iter().collect()
            }
        };
        // Most mentions first, ties newest-imported first; only the first `limit` sorted.
        let order = |&(article, mentions): &(i64, i64)| std::cmp::Reverse((mentions, article));
        if let Some(l) = limit.filter(|&l| l < ranked.len()) {
            if l > 0 {
                ranked.select_nth_unstable_by_key(l - 1, order);
            }
            ranked.truncate(l);
        }
        ranked.sort_unstable_by_key(order);
        let mut meta = self.conn.prepare_cached(&format!(
            "SELECT {META_COLUMNS} FROM articles WHERE rowid = ?1"
        ))?;
        let mut out = Vec::with_capacity(ranked.len());
        for (article, mentions) in ranked {
            if let Some(m) = meta
                .query_row([article], super::articles::meta_from_row)
                .optional()?
            {
                out.push(EntityArticle {
                    article: m,
                    mentions: mentions as usize,
                });
            }
        }
        Ok(out)
    }

    /// The ids of the entities known by this name or alias (case-insensitive), of one kind
    /// when given.
    fn entity_ids(&self, name: &str, kind: Option<EntityKind>) -> Result<Vec<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT DISTINCT al.entity_id FROM entity_aliases al
                 JOIN entities e ON e.id = al.entity_id
                 WHERE al.alias = ?1 AND (?2 IS NULL OR e.kind = ?2)",
            )?
            .query_map(params![name, kind.map(EntityKind::as_str)], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// An entity's row by id.
    fn entity_summary(&self, id: i64) -> Result<Option<EntitySummary>> {
        Ok(self
            .conn
            .prepare_cached("SELECT name, kind, articles, mentions FROM entities WHERE id = ?1")?
            .query_row([id], summary_row)
            .optional()?)
    }

    /// Entities that appear in the same articles as this one, by how many articles they share.
    pub fn cooccurring(&self, name: &str, limit: usize) -> Result<Vec<EntitySummary>> {
        let target = self.entity_ids(name, None)?;
        let mut articles: FastSet<i64> = FastSet::default();
        for id in &target {
            articles.extend(postings::of(&self.conn, *id)?.into_iter().map(|(a, _)| a));
        }
        let mut shared: FastMap<i64, usize> = FastMap::default();
        for article in articles {
            for (entity, _) in links_of(&self.conn, article)? {
                if !target.contains(&entity) {
                    *shared.entry(entity).or_default() += 1;
                }
            }
        }
        let mut out = Vec::with_capacity(shared.len());
        for (entity, n) in shared {
            if let Some(mut e) = self.entity_summary(entity)? {
                let mentions = e.mentions;
                e.mentions = n;
                out.push((mentions, e));
            }
        }
        // Most shared first, then the most mentioned overall.
        out.sort_by(|(ma, a), (mb, b)| b.mentions.cmp(&a.mentions).then(mb.cmp(ma)));
        Ok(out.into_iter().take(limit).map(|(_, e)| e).collect())
    }

    /// Articles that share the most entities with this one; a shared entity counts for more
    /// the fewer articles mention it, so `United States` alone does not make two stories
    /// related.
    pub fn related(&self, id: &ArticleId, limit: usize) -> Result<Vec<(ArticleMeta, f64)>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let Some(rowid) = super::articles::find_rowid(&self.conn, id)? else {
            return Ok(Vec::new());
        };
        let mut mine: Vec<i64> = links_of(&self.conn, rowid)?
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        // Summed in entity order, so equal scores come out equal.
        mine.sort_unstable();
        let mut score: FastMap<i64, f64> = FastMap::default();
        for entity in mine {
            let Some(e) = self.entity_summary(entity)? else {
                continue;
            };
            if e.kind == EntityKind::Other || e.articles == 0 {
                continue;
            }
            let weight = 1.0 / e.articles as f64;
            for (article, _) in postings::of(&self.conn, entity)? {
                if article != rowid {
                    *score.entry(article).or_default() += weight;
                }
            }
        }
        let mut ranked: Vec<(i64, f64)> = score.into_iter().collect();
        ranked.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
        // Ties at the cut are ordered by date, so all of them are read.
        if let Some(&(_, cut)) = ranked.get(limit - 1) {
            ranked.retain(|&(_, s)| s >= cut);
        }
        let mut meta = self.conn.prepare_cached(&format!(
            "SELECT {META_COLUMNS}, sort_key FROM articles WHERE rowid = ?1"
        ))?;
        let mut out = Vec::with_capacity(ranked.len());
        for (article, s) in ranked {
            if let Some((m, sort_key)) = meta
                .query_row([article], |r| {
                    Ok((super::articles::meta_from_row(r)?, r.get::<_, String>(7)?))
                })
                .optional()?
            {
                out.push((m, s, sort_key));
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.cmp(&a.2)));
        Ok(out
            .into_iter()
            .take(limit)
            .map(|(m, s, _)| (m, s))
            .collect())
    }

    /// How many distinct entities the cache knows (with at least one article).
    pub fn entity_count(&self) -> Result<usize> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM entities WHERE articles > 0",
            [],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }
}

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntitySummary> {
    Ok(EntitySummary {
        name: r.get(0)?,
        kind: EntityKind::parse(&r.get::<_, String>(1)?).unwrap_or(EntityKind::Other),
        articles: r.get::<_, i64>(2)? as usize,
        mentions: r.get::<_, i64>(3)? as usize,
    })
}
